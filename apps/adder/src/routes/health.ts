import { errorResponse, type Service } from '@gateway-pattern/service-kit';
import { Type } from 'typebox';

/** Options of {@link healthRoutes}. */
export interface HealthRoutesOptions {
  /** True while the adder serves calls (false before it is bound and once it drains). */
  isReady: () => boolean;
}

/** `GET /healthz`: the process is alive. `GET /readyz`: it serves calls (503 while starting or draining). */
export async function healthRoutes(app: Service, options: HealthRoutesOptions): Promise<void> {
  app.get(
    '/healthz',
    {
      schema: {
        summary: 'The process is alive',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        summary: 'The adder serves calls',
        response: {
          200: Type.Object({ status: Type.Literal('ready') }),
          503: errorResponse('Starting or draining.'),
        },
      },
    },
    async (_request, reply) => {
      if (options.isReady()) return { status: 'ready' as const };
      return reply.code(503).send({ detail: 'not ready' });
    },
  );
}
