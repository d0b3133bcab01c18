import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseTrainingJsonl } from '../training';
import {
  banking77,
  bitext,
  cfpb,
  complaintTweets,
  semevalDutch,
  xedDutch,
  type SourceExample,
} from './sources';

/** Where each public set lives under the shared data folder (`../shared/data` from the repository). */
export const SOURCE_FILES = {
  tweets: ['complaint-tweets/train.jsonl'],
  banking77: ['banking77/train.csv', 'banking77/test.csv'],
  bitext: ['bitext-customer-support/Bitext_Sample_Customer_Support_Training_Dataset.csv'],
  cfpb: ['cfpb-complaints/complaints_sample.csv'],
  'xed-nl': ['xed-nl/nl-projections.tsv'],
  'semeval-nl': ['semeval16-restaurants-nl-train/restaurants_dutch_train.xml'],
} as const;
export type PublicSource = keyof typeof SOURCE_FILES;

/** Share of each source's rows kept (by a hash of the row, so the same rows every time). */
export const SOURCE_SHARE: Record<string, number> = {
  tweets: 1,
  banking77: 0.25,
  bitext: 0.4,
  cfpb: 1,
  'xed-nl': 1,
  'semeval-nl': 1,
  klaxon: 1,
  'handwritten-nl': 1,
};
/**
 * How much a row of each source counts in training (1 when absent): the real-register sets the
 * targets are about (tweets, Dutch reviews, hand-written Dutch) count more, the noisy subtitles less.
 */
export const SOURCE_WEIGHT: Record<string, number> = {
  tweets: 4,
  'semeval-nl': 3,
  'handwritten-nl': 2,
  'xed-nl': 0.5,
};
/** Share of each source held out from the shipped model, to measure it on. */
export const HELD_OUT_SHARE = 0.2;

export interface MixExample extends SourceExample {
  split: 'train' | 'held-out';
}

function fnv(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) / 4294967296;
}

/** Keeps a source's share of rows and marks the held-out part; pure and order-preserving. */
export function splitSource(rows: SourceExample[], share = 1, heldOut = HELD_OUT_SHARE): MixExample[] {
  return rows
    .filter((r) => share >= 1 || fnv(`keep:${r.source}:${r.key}`) < share)
    .map((r) => ({
      ...r,
      ...(SOURCE_WEIGHT[r.source] !== undefined && r.weight === undefined
        ? { weight: SOURCE_WEIGHT[r.source] }
        : {}),
      split: fnv(`split:${r.source}:${r.key}`) < heldOut ? 'held-out' : 'train',
    }));
}

export interface MixInputs {
  /** The shared data folder (`../shared/data`). Sources whose files are missing are skipped. */
  dataDir: string;
  /** The project's own labelled JSONL files (composed and hand-written), as `[sourceName, path]`. */
  own: Array<[string, string]>;
  /** Only these sources (default: all). */
  only?: string[];
}

/** Every source of the training mix, in a fixed order; `missing` names public sets not found. */
export function readMix(inputs: MixInputs): { examples: MixExample[]; missing: string[] } {
  const missing: string[] = [];
  const want = (name: string) => !inputs.only || inputs.only.includes(name);
  const read = (rel: string) => readFileSync(join(inputs.dataDir, rel), 'utf8');
  const parsers: Record<PublicSource, (files: string[]) => SourceExample[]> = {
    tweets: ([f]) => complaintTweets(read(f)),
    banking77: ([a, b]) => [...banking77(read(a), 'train'), ...banking77(read(b), 'test')],
    bitext: ([f]) => bitext(read(f)),
    cfpb: ([f]) => cfpb(read(f)),
    'xed-nl': ([f]) => xedDutch(read(f)),
    'semeval-nl': ([f]) => semevalDutch(read(f)),
  };
  const examples: MixExample[] = [];
  for (const name of Object.keys(SOURCE_FILES) as PublicSource[]) {
    if (!want(name)) continue;
    const files = [...SOURCE_FILES[name]];
    if (!files.every((f) => existsSync(join(inputs.dataDir, f)))) {
      missing.push(name);
      continue;
    }
    examples.push(...splitSource(parsers[name](files), SOURCE_SHARE[name]));
  }
  for (const [name, path] of inputs.own) {
    if (!want(name)) continue;
    const rows = parseTrainingJsonl(readFileSync(path, 'utf8'), path).map((e, i) => ({
      ...e,
      source: name,
      key: String(i),
    }));
    examples.push(...splitSource(rows, SOURCE_SHARE[name] ?? 1));
  }
  return { examples, missing };
}

/** sha256 of the mix as trained on (every field that reaches training, in order): recorded in the model. */
export function mixHash(examples: SourceExample[]): string {
  const h = createHash('sha256');
  for (const e of examples)
    h.update(
      JSON.stringify([
        e.source,
        e.key,
        e.text,
        e.subject ?? null,
        e.lang ?? null,
        e.channel ?? null,
        e.complaint ?? null,
        e.category ?? null,
        e.priority ?? null,
        e.weight ?? 1,
      ]) + '\n',
    );
  return h.digest('hex');
}

/** Rows per source and split, for the data card and the model file. */
export function mixCounts(examples: MixExample[]): Record<string, { train: number; heldOut: number }> {
  const out: Record<string, { train: number; heldOut: number }> = {};
  for (const e of examples) {
    const c = (out[e.source] ??= { train: 0, heldOut: 0 });
    if (e.split === 'train') c.train++;
    else c.heldOut++;
  }
  return out;
}
