import {
  ARTIFACT_FORMAT,
  type ArtifactData,
  checkFeatures,
  type ForestArtifact,
  readArtifact,
} from './artifact.ts';
import { type FlatForest, flattenForest } from './flatten.ts';
import { incNodePurity } from './importance.ts';

/** What `GET /score/model` tells about the loaded forest. */
export interface ModelInfo {
  target: string;
  features: string[];
  ntree: number;
  mtry: number;
  nodeSize: number;
  seed: number;
  /** Out-of-bag mean squared error (R's `tail(fit$mse, 1)`). */
  oobMse: number;
  /** R's "% Var explained": 100 · (1 − OOB MSE / var(y)). */
  percentVarianceExplained: number;
  /** IncNodePurity per feature, largest first (R's `importance(fit, type = 2)`). */
  importance: Record<string, number>;
  /** Total nodes over all trees. */
  nodes: number;
  data: ArtifactData;
  artifact: { format: string; version: number };
}

/** A forest ready to serve: the fast layout for `POST /score` and the description for `GET /score/model`. */
export interface ScoringModel {
  features: readonly string[];
  forest: FlatForest;
  info: ModelInfo;
}

/** Prepares an already validated artifact for serving. */
export function scoringModel(artifact: ForestArtifact): ScoringModel {
  const forest = flattenForest(artifact.trees, artifact.features.length);
  const purity = incNodePurity(artifact.trees, artifact.features.length);
  const ranked = artifact.features
    .map((name, i) => [name, purity[i] as number] as const)
    .sort((a, b) => b[1] - a[1]);
  return {
    features: artifact.features,
    forest,
    info: {
      target: artifact.target,
      features: artifact.features,
      ntree: artifact.options.ntree,
      mtry: artifact.options.mtry,
      nodeSize: artifact.options.nodeSize,
      seed: artifact.options.seed,
      oobMse: artifact.summary.oobMse,
      percentVarianceExplained: artifact.summary.percentVarianceExplained,
      importance: Object.fromEntries(ranked),
      nodes: forest.feature.length,
      data: artifact.data,
      artifact: { format: ARTIFACT_FORMAT, version: artifact.version },
    },
  };
}

/**
 * Reads, validates and prepares the artifact at `path`; with `expectedFeatures`, also refuses a forest trained
 * on other columns. Throws `ArtifactError`.
 */
export async function loadScoringModel(
  path: string,
  expectedFeatures?: readonly string[],
): Promise<ScoringModel> {
  const artifact = await readArtifact(path);
  if (expectedFeatures !== undefined) checkFeatures(artifact, expectedFeatures, path);
  return scoringModel(artifact);
}
