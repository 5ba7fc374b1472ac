import { listen, runMain } from '@gateway-pattern/service-kit';
import { buildApp } from './app.ts';
import { loadConfig, SERVICE_NAME } from './config.ts';
import { loadModels } from './models.ts';

runMain(SERVICE_NAME, async () => {
  const config = loadConfig();
  const { admission, scoring } = await loadModels(config);
  const app = buildApp({
    logLevel: config.logLevel,
    appPrefix: config.appPrefix,
    admission,
    scoring,
    scoreMaxRows: config.scoreMaxRows,
    scoreBodyLimit: config.scoreBodyLimit,
    identityAssertion: config.identityAssertion,
  });
  app.log.info(
    { admission: { iterations: admission.fit.iterations }, forest: { ntree: scoring.info.ntree } },
    'models loaded',
  );
  await listen(app, { host: config.host, port: config.port });
});
