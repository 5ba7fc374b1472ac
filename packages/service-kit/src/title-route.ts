import type { FastifyContextConfig } from 'fastify';
import { Type } from 'typebox';
import type { Service } from './service.ts';

/** Options of {@link titleRoute}. */
export interface TitleRouteOptions {
  /** The API's title, e.g. `Python Backend API`. */
  title: string;
  /** Route config, e.g. `{ identityAssertion: 'optional' }` where backends check a signed identity. */
  config?: FastifyContextConfig;
}

/**
 * `GET /` → `{"title"}`, as the walkthroughs' FastAPI and R services answer. It tells nothing about anyone, so it
 * doubles as the readiness probe of every backend.
 */
export async function titleRoute(app: Service, options: TitleRouteOptions): Promise<void> {
  app.get(
    '/',
    {
      ...(options.config ? { config: options.config } : {}),
      schema: {
        summary: "The API's title (the readiness probe; no identity needed)",
        response: { 200: Type.Object({ title: Type.String() }) },
      },
    },
    async () => ({ title: options.title }),
  );
}
