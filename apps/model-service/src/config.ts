import { fileURLToPath } from 'node:url';
import {
  type AssertionVerifierOptions,
  assertionVerifierOptions,
  IdentityAssertionEnv,
} from '@gateway-pattern/identity-assertion';
import { EnvError, LogLevel, loadEnv } from '@gateway-pattern/service-kit';
import { type Static, Type } from 'typebox';
import { DEFAULT_ADMISSION_DATA } from './admission/model.ts';
import { DEFAULT_SCORE_BODY_LIMIT, DEFAULT_SCORE_MAX_ROWS } from './routes/score.ts';

/** Service name used in logs and start-up errors. */
export const SERVICE_NAME = 'model-service';

/** Where `npm run build -w apps/model-service` writes the forest; resolved from here, so any cwd works. */
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../var/boston-rf.json', import.meta.url));

/** Environment variables of the model service, with their defaults. */
export const EnvSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 8102 }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  LOG_LEVEL: LogLevel,
  /** The API's title is `${APP_PREFIX} API`, as in the original service. */
  APP_PREFIX: Type.String({ minLength: 1, default: 'R Backend' }),
  /** The random-forest artifact written by the train script. */
  MODEL_PATH: Type.String({ minLength: 1, default: DEFAULT_MODEL_PATH }),
  /** The admission training data (admit, gre, gpa, rank). */
  ADMISSION_DATA: Type.String({ minLength: 1, default: DEFAULT_ADMISSION_DATA }),
  /** Most rows one `POST /score` may carry. */
  SCORE_MAX_ROWS: Type.Integer({ minimum: 1, maximum: 1_000_000, default: DEFAULT_SCORE_MAX_ROWS }),
  /** Largest `POST /score` body, in bytes. */
  SCORE_BODY_LIMIT: Type.Integer({
    minimum: 1024,
    maximum: 1024 * 1024 * 1024,
    default: DEFAULT_SCORE_BODY_LIMIT,
  }),
  /** Verify forward-auth's signed identity (X-Auth-Assertion) on the admission routes, when set. */
  ...IdentityAssertionEnv,
});

/** The validated environment. */
export type Env = Static<typeof EnvSchema>;

/** Everything the model service needs to run, parsed from the environment. */
export interface ModelServiceConfig {
  host: string;
  port: number;
  logLevel: string;
  appPrefix: string;
  /** The forest artifact. */
  modelPath: string;
  /** The admission CSV, fitted at start. */
  admissionData: string;
  scoreMaxRows: number;
  scoreBodyLimit: number;
  /** `null`: identity assertions are not checked. */
  identityAssertion: AssertionVerifierOptions | null;
}

/** Reads and validates the environment; throws `EnvError` naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ModelServiceConfig {
  const vars = loadEnv(SERVICE_NAME, EnvSchema, env);
  const problems: string[] = [];
  const identityAssertion = assertionVerifierOptions(vars, problems);
  if (problems.length > 0) throw new EnvError(SERVICE_NAME, problems);
  return {
    host: vars.HOST,
    port: vars.PORT,
    logLevel: vars.LOG_LEVEL,
    appPrefix: vars.APP_PREFIX,
    modelPath: vars.MODEL_PATH,
    admissionData: vars.ADMISSION_DATA,
    scoreMaxRows: vars.SCORE_MAX_ROWS,
    scoreBodyLimit: vars.SCORE_BODY_LIMIT,
    identityAssertion,
  };
}
