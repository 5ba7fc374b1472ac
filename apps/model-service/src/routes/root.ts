import type { Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';

/** Options of {@link rootRoutes}. */
export interface RootRoutesOptions {
  /** The API's title, e.g. `R Backend API`. */
  title: string;
}

/** `GET /` → the title, as the original R service answers. */
export async function rootRoutes(app: Service, options: RootRoutesOptions): Promise<void> {
  // The readiness probe: served without an identity assertion, and it tells nothing about anyone.
  app.get(
    '/',
    {
      config: { identityAssertion: 'optional' },
      schema: {
        summary: "The API's title (the readiness probe; no identity needed)",
        response: { 200: Type.Object({ title: Type.String() }) },
      },
    },
    async () => ({ title: options.title }),
  );
}
