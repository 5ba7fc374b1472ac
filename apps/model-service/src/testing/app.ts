/** Test helper: the model service with its real models, loaded once per test file. */

import type { Service } from '@gateway-pattern/service-kit';
import { DEFAULT_ADMISSION_DATA } from '../admission/model.ts';
import { type AppOptions, buildApp } from '../app.ts';
import { DEFAULT_MODEL_PATH } from '../config.ts';
import { loadModels } from '../models.ts';

/** The models `main.ts` loads by default: the repository's admission data and the built forest. */
export const models = await loadModels({
  admissionData: DEFAULT_ADMISSION_DATA,
  modelPath: DEFAULT_MODEL_PATH,
});

/** The app with {@link models}; `overrides` win. */
export function testApp(overrides: Partial<AppOptions> = {}): Service {
  return buildApp({ logLevel: false, appPrefix: 'R Backend', ...models, ...overrides });
}
