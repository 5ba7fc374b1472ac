import { createService, type Service } from '@gateway-pattern/service-kit';
import type Provider from 'oidc-provider';
import { SERVICE_NAME } from './config.ts';
import type { Directory } from './directory/load.ts';
import { interactionRoutes } from './interactions/routes.ts';
import type { SigningKey } from './keys/keystore.ts';
import { watchKeys } from './keys/watch.ts';
import { createProvider } from './provider/create-provider.ts';
import { MemoryStore } from './provider/memory-store.ts';

/** What {@link buildApp} needs; `main.ts` fills it from the environment and files, tests directly. */
export interface AppConfig {
  /** Pino level, or `false` to silence logs (tests). */
  logLevel: string | false;
  issuer: string;
  directory: Directory;
  /** Private signing keys, the signing one first. */
  keys: readonly SigningKey[];
  /** The directory `keys` came from: when given, a rotation written there is applied without a restart. */
  keysDir?: string;
  cookieKeys: readonly string[];
  trustProxy?: boolean;
}

/**
 * Builds the identity provider without listening: oidc-provider answers every path this app does not route itself
 * (discovery, JWKS, authorization, token, userinfo, end session); the app serves the sign-in pages and `/healthz`.
 */
export function buildApp(config: AppConfig): Service {
  const app = createService({ name: SERVICE_NAME, logLevel: config.logLevel });
  // Outlives providers rebuilt with new keys, so a rotation signs nobody out.
  const store = new MemoryStore();
  const build = (keys: readonly SigningKey[]): Provider =>
    createProvider({
      issuer: config.issuer,
      directory: config.directory,
      keys,
      cookieKeys: config.cookieKeys,
      store,
      trustProxy: config.trustProxy ?? false,
      log: app.log,
    });
  let provider = build(config.keys);
  let handle = provider.callback();

  if (config.keysDir !== undefined) {
    const watcher = watchKeys(
      config.keysDir,
      config.keys,
      (keys) => {
        provider = build(keys);
        handle = provider.callback();
        const [signing, ...others] = keys;
        app.log.info(
          { signingKid: signing?.kid, publishedKids: others.map((key) => key.kid) },
          'signing keys reloaded',
        );
      },
      (err) => app.log.error({ err }, 'keys file change ignored; the previous keys stay in use'),
    );
    app.addHook('onClose', async () => watcher.close());
  }

  // Before Fastify reads any body: oidc-provider parses its own requests from the raw stream.
  app.addHook('onRequest', async (request, reply) => {
    if (!request.is404) return;
    reply.hijack();
    handle(request.raw, reply.raw);
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.register(interactionRoutes, { provider: () => provider, directory: config.directory });
  return app;
}
