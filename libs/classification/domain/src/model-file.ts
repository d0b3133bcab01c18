import { createHash } from 'node:crypto';
import type { FeatureOptions } from './features';
import { taxonomyProblems } from './model-taxonomy';
import type { PriorityRule } from './priority-rules';

export const MODEL_FORMAT = 'klaxon-classifier';
export const MODEL_FORMAT_VERSION = 1;

/** One output of the model: a softmax over `classes`, weights per feature (features absent weigh 0). */
export interface HeadFile {
  classes: string[];
  bias: number[];
  weights: Record<string, number[]>;
  /** Two-class heads: probability = sigmoid(scale × margin + shift), fitted on out-of-fold margins. */
  calibration?: { scale: number; shift: number };
}

export type HeadName = 'complaint' | 'kind' | 'category' | 'priority';

/** The versioned model file: everything the classifier needs, nothing else. */
export interface ModelFile {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  name: string;
  /** `<name>-<first 12 hex of sha256 of the rest of the file>`; recomputed on load. */
  modelVersion: string;
  trainedOn: {
    examples: number;
    languages: Record<string, number>;
    labels: Record<string, number>;
    /** Rows per source of the training mix (absent for a model trained on plain JSONL). */
    sources?: Record<string, number>;
    /** sha256 of the training mix (`mixHash`): the same inputs reproduce the file byte for byte. */
    inputHash?: string;
  };
  /** complaint: no/yes; kind: latent/explicit; category and priority as the training data labels them. */
  heads: Partial<Record<HeadName, HeadFile>>;
  /** Features the model was trained with (absent: stemmed words and lexicon counts only). */
  features?: FeatureOptions;
  /** Complaint probability from which a text is a complaint, by `channel:language` (default 0.5). */
  thresholds?: Record<string, number>;
  /** Category used when the model has no category head. */
  defaultCategory: string;
  /** Regular expressions (normalised text) that make a complaint explicit (also over the kind head). */
  explicitCues: string[];
  /** Minimum probability for the learned priority to raise priority on its own. */
  learnedPriorityThreshold: number;
  priorityRules: PriorityRule[];
}

function body(model: ModelFile): string {
  const rest: Partial<ModelFile> = { ...model };
  delete rest.modelVersion;
  return JSON.stringify(rest);
}

export function computeModelVersion(model: ModelFile): string {
  const hash = createHash('sha256').update(body(model)).digest('hex').slice(0, 12);
  return `${model.name}-${hash}`;
}

export function serializeModel(model: ModelFile): string {
  const withVersion = { ...model, modelVersion: computeModelVersion(model) };
  // One head entry per line keeps diffs readable and the file reasonably small.
  return JSON.stringify(withVersion) + '\n';
}

export function parseModelFile(json: string): ModelFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new Error(`model file is not JSON: ${(err as Error).message}`);
  }
  const m = parsed as ModelFile;
  if (!m || typeof m !== 'object' || m.format !== MODEL_FORMAT)
    throw new Error(`not a ${MODEL_FORMAT} model file`);
  if (m.formatVersion !== MODEL_FORMAT_VERSION)
    throw new Error(`unsupported model format version ${m.formatVersion}`);
  if (typeof m.name !== 'string' || !m.name) throw new Error('model file has no name');
  if (!m.heads || typeof m.heads !== 'object' || !m.heads.complaint)
    throw new Error('model file has no complaint head');
  for (const [name, head] of Object.entries(m.heads)) {
    if (
      !head ||
      !Array.isArray(head.classes) ||
      head.classes.length < 2 ||
      !Array.isArray(head.bias) ||
      head.bias.length !== head.classes.length
    )
      throw new Error(`model head ${name} is malformed`);
    for (const [f, w] of Object.entries(head.weights ?? {}))
      if (!Array.isArray(w) || w.length !== head.classes.length)
        throw new Error(`model head ${name}: weights for "${f}" have the wrong length`);
  }
  if ([...m.heads.complaint.classes].sort().join(',') !== 'no,yes')
    throw new Error('model head complaint must have the classes "no" and "yes"');
  const outsideTaxonomy = taxonomyProblems(m);
  if (outsideTaxonomy.length)
    throw new Error(`model ${m.name} does not speak the taxonomy: ${outsideTaxonomy.join('; ')}`);
  if (!Array.isArray(m.priorityRules)) throw new Error('model file has no priorityRules');
  if (!Array.isArray(m.explicitCues)) throw new Error('model file has no explicitCues');
  for (const cue of m.explicitCues) {
    try {
      new RegExp(cue, 'u');
    } catch (err) {
      throw new Error(`model file has a bad explicit cue ${cue}: ${(err as Error).message}`);
    }
  }
  return { ...m, modelVersion: computeModelVersion(m) };
}
