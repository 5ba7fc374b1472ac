import type { Service } from '@gateway-pattern/service-kit';

/** Options of {@link healthRoutes}. */
export interface HealthRoutesOptions {
  /** True while the adder serves calls (false before it is bound and once it drains). */
  isReady: () => boolean;
}

/** `GET /healthz`: the process is alive. `GET /readyz`: it serves calls (503 while starting or draining). */
export async function healthRoutes(app: Service, options: HealthRoutesOptions): Promise<void> {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    if (options.isReady()) return { status: 'ready' };
    return reply.code(503).send({ detail: 'not ready' });
  });
}
