import { listen, runMain } from '@gateway-pattern/service-kit';
import { buildApp } from './app.ts';
import { loadConfig, SERVICE_NAME } from './config.ts';
import { loadDirectory } from './directory/load.ts';
import { loadOrCreateKeys } from './keys/keystore.ts';

runMain(SERVICE_NAME, async () => {
  const config = loadConfig();
  const directory = await loadDirectory(config.identityConfig);
  const keyring = await loadOrCreateKeys(config.keysDir);
  const app = buildApp({
    logLevel: config.logLevel,
    issuer: config.issuer,
    directory,
    keys: keyring.keys,
    keysDir: config.keysDir,
    cookieKeys: config.cookieKeys,
    trustProxy: config.trustProxy,
  });
  const [signing, ...published] = keyring.keys;
  app.log.info(
    {
      file: keyring.file,
      signingKid: signing?.kid,
      publishedKids: published.map((key) => key.kid),
    },
    keyring.created ? 'generated a new signing key' : 'loaded signing keys',
  );
  app.log.info(
    {
      config: config.identityConfig,
      resources: [...directory.resources.keys()],
      clients: [...directory.clients.keys()],
      users: directory.users.size,
    },
    'directory loaded',
  );
  if (config.demoCookieKeys) {
    app.log.warn(
      'COOKIE_KEYS is the published demo key: fine for the local profile, set your own anywhere else',
    );
  }
  app.log.info(
    'sessions, grants and codes are kept in memory: a restart signs everyone out, replicas do not share them',
  );
  await listen(app, { host: config.host, port: config.port });
  app.log.info({ issuer: config.issuer }, 'identity provider ready');
});
