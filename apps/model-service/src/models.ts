/**
 * Loads the two models the service answers from. Each can fail for reasons only the operator can fix (a forest
 * never trained, a moved data file), so every failure becomes one message naming the file and the fix, which
 * `runMain` prints as the service's last line.
 */

import { type AdmissionModel, loadAdmissionModel } from './admission/model.ts';
import { BOSTON_FEATURES } from './forest/boston.ts';
import { ArtifactError } from './forest/errors.ts';
import { loadScoringModel, type ScoringModel } from './forest/model.ts';

/** Where {@link loadModels} reads from. */
export interface ModelPaths {
  /** The admission CSV (admit, gre, gpa, rank). */
  admissionData: string;
  /** The forest artifact written by the train script. */
  modelPath: string;
}

/** The fitted admission model and the loaded forest. */
export interface Models {
  admission: AdmissionModel;
  scoring: ScoringModel;
}

/** Says how to get a usable forest; retraining fixes every kind of bad artifact. */
export const BUILD_HINT = "build it with 'npm run build -w apps/model-service' or set MODEL_PATH";

/** Fits the admission model and loads the Boston forest; throws an `Error` whose message says what to do. */
export async function loadModels(paths: ModelPaths): Promise<Models> {
  const admission = await loadAdmissionModel(paths.admissionData).catch((err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err);
    throw new Error(
      `${paths.admissionData}: cannot fit the admission model (${reason}); set ADMISSION_DATA to a copy of binary.csv`,
      { cause: err },
    );
  });
  const scoring = await loadScoringModel(paths.modelPath, BOSTON_FEATURES).catch((err: unknown) => {
    if (err instanceof ArtifactError) throw new Error(`${err.message}; ${BUILD_HINT}`, { cause: err });
    throw err;
  });
  return { admission, scoring };
}
