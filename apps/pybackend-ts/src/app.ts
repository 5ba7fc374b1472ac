import {
  AssertionVerifier,
  type AssertionVerifierOptions,
  requireIdentityAssertions,
} from '@gateway-pattern/identity-assertion';
import { createService, registerOpenApi, type Service } from '@gateway-pattern/service-kit';
import packageJson from '../package.json' with { type: 'json' };
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
  /**
   * Require forward-auth's signed identity on every route but `GET /` and the documentation; absent or `null`:
   * trust the headers.
   */
  identityAssertion?: AssertionVerifierOptions | null;
}

/** Builds the pybackend service without listening; its model-service connection pool closes with it. */
export function buildApp(config: AppConfig): Service {
  const app = createService({ name: SERVICE_NAME, logLevel: config.logLevel });
  const modelService = new ModelServiceClient({
    baseUrl: config.modelServiceUrl,
    timeoutMs: config.upstreamTimeoutMs,
  });
  app.addHook('onClose', () => modelService.close());
  if (config.identityAssertion) {
    const verifier = new AssertionVerifier(config.identityAssertion);
    requireIdentityAssertions(app, verifier);
    const { issuer, audiences, jwksUrl } = verifier.options;
    app.log.info({ issuer, audiences, jwks: jwksUrl.href }, 'identity assertions required');
  } else {
    app.log.info('identity assertions off: X-Auth-* headers are trusted from whoever can reach this port');
  }
  registerOpenApi(app, {
    title: `${config.appPrefix} API`,
    version: packageJson.version,
    description:
      'The relay backend (the walkthroughs\' "pybackend"). Reached through the gateway at `/pybackend`, behind ' +
      'forward auth; every route but `GET /` and this documentation needs the signed identity (`X-Auth-Assertion`) ' +
      'the gateway adds when identity assertions are on.',
    routeConfig: { identityAssertion: 'optional' },
  });

  app.register(rootRoutes, { title: `${config.appPrefix} API` });
  app.register(whoamiRoutes);
  app.register(admissionRoutes, { modelService });
  return app;
}
