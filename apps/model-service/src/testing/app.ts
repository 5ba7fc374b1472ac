/** Test helper: the model service with its real models, loaded once per test file. */

import type { Service } from '@gateway-pattern/service-kit';
import { loadAdmissionModel } from '../admission/model.ts';
import { type AppOptions, buildApp } from '../app.ts';
import { DEFAULT_MODEL_PATH } from '../config.ts';
import { BOSTON_FEATURES } from '../forest/boston.ts';
import { loadScoringModel } from '../forest/model.ts';

const admission = await loadAdmissionModel();
const scoring = await loadScoringModel(DEFAULT_MODEL_PATH, BOSTON_FEATURES);

/** The app with the repository's admission data and the built forest; `overrides` win. */
export function testApp(overrides: Partial<AppOptions> = {}): Service {
  return buildApp({ logLevel: false, appPrefix: 'R Backend', admission, scoring, ...overrides });
}
