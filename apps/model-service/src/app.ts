import {
  AssertionVerifier,
  type AssertionVerifierOptions,
  requireIdentityAssertions,
} from '@gateway-pattern/identity-assertion';
import { createService, registerOpenApi, type Service, titleRoute } from '@gateway-pattern/service-kit';
import packageJson from '../package.json' with { type: 'json' };
import type { AdmissionModel } from './admission/model.ts';
import { SERVICE_NAME } from './config.ts';
import type { ScoringModel } from './forest/model.ts';
import { admissionRoutes } from './routes/admission.ts';
import { scoreRoutes } from './routes/score.ts';

/** What {@link buildApp} needs; `main.ts` fills it from the environment and the loaded models, tests directly. */
export interface AppOptions {
  /** Pino level, or `false` to silence logs (tests). */
  logLevel: string | false;
  /** The title is `${appPrefix} API`. */
  appPrefix: string;
  admission: AdmissionModel;
  scoring: ScoringModel;
  /** Most rows per `POST /score`. */
  scoreMaxRows?: number;
  /** Largest `POST /score` body in bytes. */
  scoreBodyLimit?: number;
  /**
   * Require forward-auth's signed identity on the admission routes (`/`, `/score` and `/score/model` take one when
   * sent); absent or `null`: trust the headers.
   */
  identityAssertion?: AssertionVerifierOptions | null;
}

/** Builds the model service without listening. Models are loaded by the caller, so a test can share them. */
export function buildApp(options: AppOptions): Service {
  const app = createService({ name: SERVICE_NAME, logLevel: options.logLevel });
  if (options.identityAssertion) {
    const verifier = new AssertionVerifier(options.identityAssertion);
    requireIdentityAssertions(app, verifier);
    const { issuer, audiences, jwksUrl } = verifier.options;
    app.log.info({ issuer, audiences, jwks: jwksUrl.href }, 'identity assertions required on /admission');
  }
  registerOpenApi(app, {
    title: `${options.appPrefix} API`,
    version: packageJson.version,
    description:
      'The admission logistic regression (the walkthroughs\' "rbackend", reached through the gateway at `/rbackend` ' +
      'behind forward auth) and the Boston random forest (their plumber service, at `/bos-rf` over HTTPS behind ' +
      'basic auth). The admission routes need the signed identity (`X-Auth-Assertion`) when identity assertions ' +
      'are on; `GET /`, scoring and this documentation do not.',
    routeConfig: { identityAssertion: 'optional' },
  });
  // The readiness probe: served without an identity assertion.
  app.register(titleRoute, { title: `${options.appPrefix} API`, config: { identityAssertion: 'optional' } });
  app.register(admissionRoutes, { model: options.admission });
  app.register(scoreRoutes, {
    model: options.scoring,
    maxRows: options.scoreMaxRows,
    bodyLimit: options.scoreBodyLimit,
  });
  return app;
}
