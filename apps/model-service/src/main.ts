import { listen, runMain } from '@gateway-pattern/service-kit';
import { loadAdmissionModel } from './admission/model.ts';
import { buildApp } from './app.ts';
import { loadConfig, SERVICE_NAME } from './config.ts';
import { BOSTON_FEATURES } from './forest/boston.ts';
import { ArtifactError } from './forest/errors.ts';
import { loadScoringModel } from './forest/model.ts';

runMain(SERVICE_NAME, async () => {
  const config = loadConfig();
  const admission = await loadAdmissionModel(config.ADMISSION_DATA);
  const scoring = await loadScoringModel(config.MODEL_PATH, BOSTON_FEATURES).catch((err: unknown) => {
    if (err instanceof ArtifactError && err.code === 'ARTIFACT_UNREADABLE') {
      err.message += "; train it with 'npm run build -w apps/model-service' or set MODEL_PATH";
    }
    throw err;
  });
  const app = buildApp({
    logLevel: config.LOG_LEVEL,
    appPrefix: config.APP_PREFIX,
    admission,
    scoring,
    scoreMaxRows: config.SCORE_MAX_ROWS,
    scoreBodyLimit: config.SCORE_BODY_LIMIT,
  });
  app.log.info(
    { admission: { iterations: admission.fit.iterations }, forest: scoring.info.ntree },
    'models loaded',
  );
  await listen(app, { host: config.HOST, port: config.PORT });
});
