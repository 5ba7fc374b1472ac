import { createService, type Service } from '@gateway-pattern/service-kit';
import { SERVICE_NAME } from './config.ts';
import { authRoutes } from './routes/auth.ts';
import { rootRoutes } from './routes/root.ts';
import type { StaticToken } from './tokens/static-tokens.ts';
import { StaticTokenVerifier } from './tokens/static-tokens.ts';
import type { TokenVerifier } from './tokens/verifier.ts';

/** What {@link buildApp} needs; `main.ts` fills it from the environment, tests directly. */
export interface AppConfig {
  /** Pino level, or `false` to silence logs (tests). */
  logLevel: string | false;
  /** Static bearer tokens to accept; empty accepts none. */
  staticTokens: readonly StaticToken[];
}

/** The verifiers the configuration enables, in the order `/auth` tries them. */
export function buildVerifiers(config: AppConfig): TokenVerifier[] {
  const verifiers: TokenVerifier[] = [];
  if (config.staticTokens.length > 0) verifiers.push(new StaticTokenVerifier(config.staticTokens));
  return verifiers;
}

/** Builds the forward-auth service without listening. */
export function buildApp(config: AppConfig): Service {
  const app = createService({ name: SERVICE_NAME, logLevel: config.logLevel });
  const verifiers = buildVerifiers(config);

  if (config.staticTokens.length > 0) {
    app.log.warn(
      { principals: config.staticTokens.map((t) => t.principal) },
      `static bearer tokens enabled (${config.staticTokens.length}): shared demo credentials, ` +
        'leave STATIC_TOKENS unset in production',
    );
  } else {
    app.log.info('no static tokens configured (STATIC_TOKENS is empty): static-token auth is off');
  }
  if (verifiers.length === 0) {
    app.log.info('no token verifier is enabled: every bearer token will be answered 401');
  }

  app.register(rootRoutes);
  app.register(authRoutes, { verifiers });
  return app;
}
