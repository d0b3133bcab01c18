import type { ModelFile } from '../model-file';
import { trainModel, type TrainModelOptions } from '../training';
import { mixHash, type MixExample } from './read-mix';

/** The training part of a mix, in its fixed order. */
export const trainingPart = (mix: MixExample[]): MixExample[] => mix.filter((e) => e.split === 'train');

/**
 * Trains on the training part of the mix and records where it came from (rows per source, input
 * hash). Deterministic: same mix, same options → the same model file, byte for byte.
 */
export function trainOnMix(mix: MixExample[], options: TrainModelOptions = {}): ModelFile {
  const part = trainingPart(mix);
  const sources: Record<string, number> = {};
  for (const e of part) sources[e.source] = (sources[e.source] ?? 0) + 1;
  return trainModel(part, { ...options, provenance: { sources, inputHash: mixHash(part) } });
}
