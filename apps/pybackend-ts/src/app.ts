import { createService, type Service } from '@gateway-pattern/service-kit';
import { SERVICE_NAME } from './config.ts';
import { admissionRoutes } from './routes/admission.ts';
import { rootRoutes } from './routes/root.ts';
import { whoamiRoutes } from './routes/whoami.ts';
import { ModelServiceClient } from './upstream/model-service.ts';

/** What {@link buildApp} needs; `main.ts` fills it from the environment, tests directly. */
export interface AppConfig {
  /** Pino level, or `false` to silence logs (tests). */
  logLevel: string | false;
  /** The title is `${appPrefix} API`. */
  appPrefix: string;
  /** Base URL of the model service. */
  modelServiceUrl: URL;
  /** Deadline for one call to the model service. */
  upstreamTimeoutMs: number;
}

/** Builds the pybackend service without listening; its model-service connection pool closes with it. */
export function buildApp(config: AppConfig): Service {
  const app = createService({ name: SERVICE_NAME, logLevel: config.logLevel });
  const modelService = new ModelServiceClient({
    baseUrl: config.modelServiceUrl,
    timeoutMs: config.upstreamTimeoutMs,
  });
  app.addHook('onClose', () => modelService.close());

  app.register(rootRoutes, { title: `${config.appPrefix} API` });
  app.register(whoamiRoutes);
  app.register(admissionRoutes, { modelService });
  return app;
}
