import { type Service, titleRoute } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';

/** Options of {@link rootRoutes}. */
export interface RootRoutesOptions {
  /** The API's title, e.g. `Python Backend API`. */
  title: string;
}

/**
 * `GET /` → the title; `GET /{p}` → the title and the path segment, as the original FastAPI service answers.
 * `GET /` needs no identity assertion (it is the readiness probe); `GET /{p}` does, when they are checked.
 */
export async function rootRoutes(app: Service, options: RootRoutesOptions): Promise<void> {
  // The readiness probe: served without an identity assertion.
  await titleRoute(app, { title: options.title, config: { identityAssertion: 'optional' } });
  app.get(
    '/:p',
    {
      schema: {
        summary: 'Echo one path segment',
        params: Type.Object({ p: Type.String() }),
        response: { 200: Type.Object({ title: Type.String(), path: Type.String() }) },
      },
    },
    async (request) => ({ title: options.title, path: request.params.p }),
  );
}
