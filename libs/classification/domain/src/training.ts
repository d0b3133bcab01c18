import { UNCATEGORISED } from '@klaxon/contracts';
import { charGramCounts, DEFAULT_FEATURES, featureCounts, weigh, type FeatureOptions } from './features';
import { detectLanguage } from './language';
import { DEFAULT_TRAIN, trainHead, type SparseVector, type TrainOptions } from './linear';
import {
  computeModelVersion,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type HeadFile,
  type HeadName,
  type ModelFile,
} from './model-file';
import { DEFAULT_PRIORITY_RULES, type PriorityRule } from './priority-rules';
import { foldText, plainText, tokenize } from './text';
import { chooseThresholds, thresholdKey } from './thresholds';

export type ComplaintGold = boolean | 'explicit' | 'latent' | 'none';

/** One labelled line of training JSONL: `{"text", "lang"?, "complaint"?, "category"?, "priority"?}`. */
export interface TrainingExample {
  text: string;
  subject?: string;
  lang?: string;
  complaint?: ComplaintGold;
  category?: string;
  priority?: 'critical' | 'high' | 'normal';
  /** The channel it arrived on (web when absent): decision thresholds are chosen per channel. */
  channel?: string;
  /** How much the example counts in training (default 1). */
  weight?: number;
  id?: string;
}

/** Parses labelled JSONL; a bad line is an error naming the line, never skipped silently. */
export function parseTrainingJsonl(content: string, source = 'input'): TrainingExample[] {
  const out: TrainingExample[] = [];
  const lines = content.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (!line) continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line);
    } catch (err) {
      throw new Error(`${source}:${i + 1}: not JSON (${(err as Error).message})`);
    }
    if (!o || typeof o !== 'object' || typeof o.text !== 'string')
      throw new Error(`${source}:${i + 1}: "text" must be a string`);
    const c = o.complaint;
    if (
      c !== undefined &&
      c !== null &&
      c !== true &&
      c !== false &&
      c !== 'explicit' &&
      c !== 'latent' &&
      c !== 'none'
    )
      throw new Error(`${source}:${i + 1}: "complaint" must be true, false, "explicit", "latent" or "none"`);
    const p = o.priority;
    if (p !== undefined && p !== null && p !== 'critical' && p !== 'high' && p !== 'normal')
      throw new Error(`${source}:${i + 1}: "priority" must be "critical", "high" or "normal"`);
    if (o.category !== undefined && o.category !== null && (typeof o.category !== 'string' || !o.category))
      throw new Error(`${source}:${i + 1}: "category" must be a non-empty string`);
    out.push({
      text: o.text,
      ...(typeof o.subject === 'string' ? { subject: o.subject } : {}),
      ...(typeof o.lang === 'string' ? { lang: o.lang } : {}),
      ...(c !== undefined && c !== null ? { complaint: c as ComplaintGold } : {}),
      ...(typeof o.category === 'string' ? { category: o.category } : {}),
      ...(typeof p === 'string' ? { priority: p as TrainingExample['priority'] } : {}),
      ...(typeof o.channel === 'string' ? { channel: o.channel } : {}),
      ...(o.id !== undefined ? { id: String(o.id) } : {}),
    });
  }
  return out;
}

export const isComplaintGold = (c: ComplaintGold | undefined): boolean | undefined =>
  c === undefined ? undefined : c === true || c === 'explicit' || c === 'latent';

export interface TrainModelOptions {
  name?: string;
  train?: Partial<TrainOptions>;
  /** Features seen in fewer training texts are dropped (default: 1 under 1,500 examples, else 2). */
  minDocFreq?: number;
  priorityRules?: PriorityRule[];
  defaultCategory?: string;
  /**
   * Weight of the naive-Bayes log-count ratios added to the complaint head's weights (an NB+LR
   * ensemble that stays one linear model; default 1, 0 = plain logistic regression).
   */
  nbWeight?: number;
  /** Platt-scale the complaint probability on out-of-fold margins (default true, from 60 examples). */
  calibrate?: boolean;
  /** Choose decision thresholds per channel and language on out-of-fold probabilities (default true). */
  thresholds?: boolean;
  /** Features to train with (default DEFAULT_FEATURES: words, cues, character n-grams). */
  features?: FeatureOptions;
  /** Where the examples came from, recorded in the model file (no time: the file is reproducible). */
  provenance?: { sources: Record<string, number>; inputHash: string };
}

/** Fits p = sigmoid(scale * margin + shift) to labels 0/1 by Newton's method (Platt 1999, smoothed targets). */
export function plattScaling(margins: ArrayLike<number>, labels: number[]): { scale: number; shift: number } {
  const n = labels.length;
  const pos = labels.filter((y) => y === 1).length;
  const hi = (pos + 1) / (pos + 2);
  const lo = 1 / (n - pos + 2);
  const target = (i: number) => (labels[i] === 1 ? hi : lo);
  // Cross-entropy against the smoothed targets, computed stably in log space.
  const loss = (a: number, b: number) => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = a * margins[i] + b;
      const logP = -Math.log1p(Math.exp(-Math.abs(z))) + Math.min(0, z);
      const logQ = -Math.log1p(Math.exp(-Math.abs(z))) + Math.min(0, -z);
      sum -= target(i) * logP + (1 - target(i)) * logQ;
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iter = 0; iter < 100; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < n; i++) {
      const m = margins[i];
      const p = 1 / (1 + Math.exp(-(a * m + b)));
      const d = p - target(i);
      const w = p * (1 - p);
      ga += d * m;
      gb += d;
      haa += w * m * m;
      hab += w * m;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-12)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    // Newton with step halving: never accept a step that makes the fit worse.
    let step = 1;
    let next = loss(a - da, b - db);
    while (!(next <= current) && step > 1e-6) {
      step /= 2;
      next = loss(a - step * da, b - step * db);
    }
    if (!(next <= current)) break;
    a -= step * da;
    b -= step * db;
    const improved = current - next;
    current = next;
    if (improved < 1e-9 * n) break;
  }
  return { scale: Math.round(a * 1e4) / 1e4, shift: Math.round(b * 1e4) / 1e4 };
}

function logCountRatios(docs: SparseVector[], labels: number[], n: number, alpha = 1): Float64Array {
  const p = new Float64Array(n).fill(alpha);
  const q = new Float64Array(n).fill(alpha);
  docs.forEach((d, i) => {
    const into = labels[i] === 1 ? p : q;
    for (let k = 0; k < d.idx.length; k++) into[d.idx[k]] += d.val[k];
  });
  let ps = 0;
  let qs = 0;
  for (let f = 0; f < n; f++) {
    ps += p[f];
    qs += q[f];
  }
  const r = new Float64Array(n);
  for (let f = 0; f < n; f++) r[f] = Math.log(p[f] / ps / (q[f] / qs));
  return r;
}

/**
 * What makes a complaint explicit whatever the kind head says (the taxonomy's definition): the word
 * complaint, a demand for money back, a threat of a lawyer, a regulator, the press or leaving.
 */
export const DEFAULT_EXPLICIT_CUES = [
  '\\b(klacht\\w*|klagen|klaag|beklag|complaint\\w*|complain\\w*|formal(ly)? complain\\w*)\\b',
  '\\b(i want|i demand|i expect|i need|give me|please) (a |my |the )?(full )?(refund|money back|compensation)\\b|\\brefund (me|immediately|now|asap)\\b',
  '\\b(ik wil|ik eis|ik verwacht|ik verzoek u|graag) (mijn |het |een )?(geld terug|terugbetaling|vergoeding|compensatie|schadevergoeding)\\b|\\b(terugstorten|storneer|crediteren)\\b',
  '\\b(lawyer|attorney|solicitor|sue|legal action|small claims|ombudsman|trading standards|advocaat|rechtszaak|juridische stappen|rechtsbijstand|geschillencommissie|consumentenbond|kassa|the press|de pers|de media)\\b',
  "\\b(cancel(ling)? my (account|subscription|contract|order)|i('m| am) (leaving|switching)|never (again|ordering|buying)|opzeggen|zeg\\w* (ik )?(mijn )?\\w+ op|stap\\w* (ik )?over|nooit meer)\\b",
];

/** The weighted features of a text (words, cues, character n-grams), as the classifier sees them. */
export function textFeatures(
  text: string,
  subject?: string,
  lang?: string,
  options: FeatureOptions = {},
): { features: Map<string, number>; language: string } {
  const plain = plainText(subject ? `${subject}\n${text}` : text);
  const normalized = foldText(plain);
  const tokens = tokenize(normalized);
  const l = detectLanguage(normalized, tokens, lang, plain.slice(0, 2048));
  const counts = featureCounts(tokens, l.analysis, 0, tokens.length, undefined, undefined, options);
  let grams: Map<number, number> | undefined;
  if (options.charGrams) charGramCounts(tokens, options.charGrams, (grams = new Map()));
  return { features: weigh(counts, grams, options.charGrams?.weight), language: l.language };
}

/** Trains every head the labels allow and returns the model file (with its version). */
export function trainModel(examples: TrainingExample[], options: TrainModelOptions = {}): ModelFile {
  if (examples.length === 0) throw new Error('no training examples');
  const train = { ...DEFAULT_TRAIN, ...options.train };
  const featureOptions = options.features ?? DEFAULT_FEATURES;
  const featurized = examples.map((e) => textFeatures(e.text, e.subject, e.lang, featureOptions));
  const minDf = options.minDocFreq ?? (examples.length < 1500 ? 1 : 2);
  const df = new Map<string, number>();
  for (const { features } of featurized) for (const f of features.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const vocabulary: string[] = [];
  const index = new Map<string, number>();
  for (const [f, n] of df) if (n >= minDf) index.set(f, vocabulary.push(f) - 1);
  const vectors: SparseVector[] = featurized.map(({ features }) => {
    const idx: number[] = [];
    const val: number[] = [];
    for (const [f, v] of features) {
      const i = index.get(f);
      if (i !== undefined) {
        idx.push(i);
        val.push(v);
      }
    }
    return { idx: Int32Array.from(idx), val: Float64Array.from(val) };
  });

  const labels: Record<string, number> = {};
  const languages: Record<string, number> = {};
  for (const f of featurized) languages[f.language] = (languages[f.language] ?? 0) + 1;

  const heads: Partial<Record<HeadName, HeadFile>> = {};
  let outOfFold: { rows: number[]; margins: Float64Array } | undefined;
  const fit = (
    name: HeadName,
    pick: (e: TrainingExample) => string | undefined,
    fixed?: string[],
    nbWeight = 0,
  ) => {
    const rows: number[] = [];
    const gold: string[] = [];
    examples.forEach((e, i) => {
      const g = pick(e);
      if (g !== undefined) {
        rows.push(i);
        gold.push(g);
      }
    });
    const classes = fixed ?? [...new Set(gold)].sort();
    if (new Set(gold).size < 2) return;
    labels[name] = gold.length;
    const C = classes.length;
    // NB log-count ratios (as in NBSVM, Wang & Manning 2012) folded into a two-class head's weights.
    const learn = (subset: number[]) => {
      const docs = subset.map((k) => vectors[rows[k]]);
      const ys = subset.map((k) => classes.indexOf(gold[k]));
      const weights = subset.some((k) => examples[rows[k]].weight !== undefined)
        ? subset.map((k) => examples[rows[k]].weight ?? 1)
        : undefined;
      const head = trainHead(docs, ys, classes, vocabulary.length, train, weights);
      if (nbWeight > 0 && C === 2) {
        const nb = logCountRatios(docs, ys, vocabulary.length);
        for (let f = 0; f < vocabulary.length; f++) head.weights[f * C + 1] += nbWeight * nb[f];
      }
      return head;
    };
    const all = rows.map((_, k) => k);
    const head = learn(all);
    // Platt scaling of a two-class head on out-of-fold margins, so its probability means what it says.
    let calibration: HeadFile['calibration'];
    if (C === 2 && (options.calibrate ?? true) && rows.length >= 60) {
      const margins = new Float64Array(rows.length);
      const folds = 3;
      for (let fold = 0; fold < folds; fold++) {
        const part = learn(all.filter((k) => k % folds !== fold));
        for (let k = fold; k < rows.length; k += folds) {
          const { idx, val } = vectors[rows[k]];
          let m = part.bias[1] - part.bias[0];
          for (let j = 0; j < idx.length; j++)
            m += val[j] * (part.weights[idx[j] * 2 + 1] - part.weights[idx[j] * 2]);
          margins[k] = m;
        }
      }
      calibration = plattScaling(
        margins,
        gold.map((g) => classes.indexOf(g)),
      );
      if (name === 'complaint') outOfFold = { rows, margins };
    }
    const weights: Record<string, number[]> = {};
    for (let f = 0; f < vocabulary.length; f++) {
      let keep = false;
      for (let c = 0; c < C; c++) if (Math.abs(head.weights[f * C + c]) >= 5e-4) keep = true;
      if (keep)
        weights[vocabulary[f]] = Array.from(
          head.weights.subarray(f * C, f * C + C),
          (w) => Math.round(w * 1e4) / 1e4,
        );
    }
    heads[name] = {
      classes,
      bias: Array.from(head.bias, (b) => Math.round(b * 1e4) / 1e4),
      weights,
      ...(calibration ? { calibration } : {}),
    };
  };
  fit(
    'complaint',
    (e) => {
      const c = isComplaintGold(e.complaint);
      return c === undefined ? undefined : c ? 'yes' : 'no';
    },
    ['no', 'yes'],
    options.nbWeight ?? 1,
  );
  // Per channel and language, the threshold that decides best on out-of-fold probabilities.
  let thresholds: Record<string, number> | undefined;
  const cal = heads.complaint?.calibration;
  if (outOfFold && cal && (options.thresholds ?? true)) {
    const oof = outOfFold;
    thresholds = chooseThresholds(
      oof.rows.map((row, k) => ({
        key: thresholdKey(examples[row].channel ?? 'web', featurized[row].language),
        probability: 1 / (1 + Math.exp(-(cal.scale * oof.margins[k] + cal.shift))),
        complaint: isComplaintGold(examples[row].complaint)!,
      })),
    );
  }
  if (!heads.complaint)
    throw new Error('training data needs complaint labels of both kinds (complaint and not)');
  fit('kind', (e) => (e.complaint === 'explicit' || e.complaint === 'latent' ? e.complaint : undefined), [
    'latent',
    'explicit',
  ]);
  fit('category', (e) => (isComplaintGold(e.complaint) === false ? undefined : e.category));
  fit('priority', (e) => (isComplaintGold(e.complaint) === false ? undefined : e.priority));

  const model: ModelFile = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: options.name ?? 'klaxon',
    modelVersion: '',
    trainedOn: { examples: examples.length, languages, labels, ...(options.provenance ?? {}) },
    heads,
    features: featureOptions,
    ...(thresholds && Object.keys(thresholds).length ? { thresholds } : {}),
    defaultCategory: options.defaultCategory ?? UNCATEGORISED,
    explicitCues: DEFAULT_EXPLICIT_CUES,
    learnedPriorityThreshold: 0.6,
    priorityRules: options.priorityRules ?? DEFAULT_PRIORITY_RULES,
  };
  model.modelVersion = computeModelVersion(model);
  return model;
}
