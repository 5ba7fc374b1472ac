import { listen, runMain } from '@gateway-pattern/service-kit';
import { buildApp } from './app.ts';
import { loadConfig, SERVICE_NAME } from './config.ts';

runMain(SERVICE_NAME, async () => {
  const config = loadConfig();
  const app = buildApp({
    logLevel: config.logLevel,
    staticTokens: config.staticTokens,
    jwtIssuers: config.jwtIssuers,
    publicUrl: config.publicUrl,
    returnOrigins: config.returnOrigins,
    login: config.login,
    assertion: config.assertion,
  });
  await listen(app, { host: config.host, port: config.port });
});
