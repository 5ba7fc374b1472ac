import { listen, runMain } from '@gateway-pattern/service-kit';
import { buildApp } from './app.ts';
import { loadConfig, SERVICE_NAME } from './config.ts';

runMain(SERVICE_NAME, async () => {
  const config = loadConfig();
  const app = buildApp({
    logLevel: config.logLevel,
    appPrefix: config.appPrefix,
    modelServiceUrl: config.modelServiceUrl,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    identityAssertion: config.identityAssertion,
  });
  app.log.info({ modelService: config.modelServiceUrl.href }, 'relaying admission requests');
  await listen(app, { host: config.host, port: config.port });
});
