import { existsSync } from 'node:fs';
import type { ComplaintLabel } from '@klaxon/contracts';
import { join } from 'node:path';
import { charGramCounts, featureCounts, type FeatureOptions } from './features';
import { detectLanguage, EN_FUNCTION_WORDS, NL_FUNCTION_WORDS } from './language';
import { softmaxInPlace } from './linear';
import { parseModelFile, type HeadName, type ModelFile } from './model-file';
import { sentimentScore } from './nlp';
import { isStopWord as isListedStopWord } from './stopwords';
import {
  compileRules,
  firedRules,
  maxPriority,
  PRIORITY_RANK,
  type Channel,
  type CompiledRule,
  type Priority,
  type PriorityRule,
} from './priority-rules';
import { foldText, plainText, tokenize } from './text';
import { thresholdKey } from './thresholds';

/** The taxonomy's complaint labels (the contracts own them). */
export type { ComplaintLabel } from '@klaxon/contracts';

export interface ClassifyInput {
  text: string;
  subject?: string;
  channel: Channel;
  languageHint?: string;
  /** Followers of the author of a public post. */
  reach?: number;
  isPublic?: boolean;
  /** Complaints from the same customer in the recent past, when the event carries it. */
  recentComplaints?: number;
}

export interface Decision {
  language: string;
  complaint: ComplaintLabel;
  /** Probability that the text is a complaint (explicit or latent). */
  complaintProbability: number;
  category: string;
  categoryProbability: number;
  priority: Priority;
  /** Ids of the priority rules that fired. */
  priorityReasons: string[];
  sentiment: number;
  /** Words and rules that drove the decisions, short enough to show an agent. */
  why: string[];
  reputationalRisk: boolean;
  modelVersion: string;
}

export interface Classifier {
  readonly modelVersion: string;
  readonly model: ModelFile;
  classify(input: ClassifyInput): Decision;
}

export interface LoadOptions {
  /** Replace the model's priority rules (configuration). */
  priorityRules?: PriorityRule[];
}

interface Resolved {
  features: string[];
  rows: Float64Array[];
  values: number[];
}

interface RuntimeHead {
  name: HeadName;
  classes: string[];
  bias: Float64Array;
  offset: number;
}

const isStopWord = (w: string) =>
  NL_FUNCTION_WORDS.has(w) || EN_FUNCTION_WORDS.has(w) || EXTRA_STOP.has(w) || isListedStopWord(w);
const EXTRA_STOP = new Set(
  'zegt says call calling called belt klant customer mevr dhr mrs mr jullie your you ik i we wij me mij hij he zij she ze they er there'.split(
    ' ',
  ),
);
/** Function words explain nothing to an agent: evidence shows content words only. */
function isContentWord(word: string): boolean {
  return word.split(' ').some((w) => w.length > 2 && !isStopWord(w));
}

const round = (x: number, digits = 4) => Math.round(x * 10 ** digits) / 10 ** digits;

class LinearClassifier implements Classifier {
  readonly modelVersion: string;
  private readonly rows = new Map<string, Float64Array>();
  /** Rows of the hashed character n-gram buckets, by bucket. */
  private readonly gramRows = new Map<number, Float64Array>();
  private readonly features: FeatureOptions;
  private readonly heads: Partial<Record<HeadName, RuntimeHead>> = {};
  private readonly rules: CompiledRule[];
  private readonly explicitCues: RegExp[];

  constructor(
    readonly model: ModelFile,
    options: LoadOptions,
  ) {
    this.modelVersion = model.modelVersion;
    let width = 0;
    const list: [HeadName, RuntimeHead][] = [];
    for (const name of ['complaint', 'kind', 'category', 'priority'] as HeadName[]) {
      const h = model.heads[name];
      if (!h) continue;
      const rh = { name, classes: h.classes, bias: Float64Array.from(h.bias), offset: width };
      width += h.classes.length;
      list.push([name, rh]);
      this.heads[name] = rh;
    }
    this.features = model.features ?? {};
    for (const [name, rh] of list) {
      for (const [feature, w] of Object.entries(model.heads[name]!.weights)) {
        const gram = feature.charCodeAt(0) === 126 /* ~ */ ? Number(feature.slice(1)) : -1;
        const table = gram >= 0 ? this.gramRows : this.rows;
        const key = gram >= 0 ? gram : feature;
        let row = (table as Map<string | number, Float64Array>).get(key);
        if (!row) (table as Map<string | number, Float64Array>).set(key, (row = new Float64Array(width)));
        row.set(w, rh.offset);
      }
    }
    this.rules = compileRules(options.priorityRules ?? model.priorityRules);
    this.explicitCues = model.explicitCues.map((p) => new RegExp(p, 'u'));
  }

  /**
   * Weighs feature counts as `weigh` does (sublinear tf, L2 norm over all features) and looks up the
   * model rows of the known ones, in one pass.
   */
  private resolve(counts: Map<string, number>, grams?: Map<number, number>): Resolved {
    const features: string[] = [];
    const rows: Float64Array[] = [];
    const values: number[] = [];
    let norm = 0;
    for (const [f, c] of counts) {
      const v = c === 1 ? 1 : 1 + Math.log(c);
      norm += v * v;
      const row = this.rows.get(f);
      if (!row) continue;
      features.push(f);
      rows.push(row);
      values.push(v);
    }
    if (norm > 0) {
      const inv = 1 / Math.sqrt(norm);
      for (let i = 0; i < values.length; i++) values[i] *= inv;
    }
    if (grams && grams.size) {
      // Character n-grams: their own L2 block, scaled by the model's weight (as `weigh` trains them).
      const start = values.length;
      let gnorm = 0;
      for (const [b, c] of grams) {
        const v = c === 1 ? 1 : 1 + Math.log(c);
        gnorm += v * v;
        const row = this.gramRows.get(b);
        if (!row) continue;
        features.push('~');
        rows.push(row);
        values.push(v);
      }
      const inv = (this.features.charGrams?.weight ?? 1) / Math.sqrt(gnorm);
      for (let i = start; i < values.length; i++) values[i] *= inv;
    }
    return { features, rows, values };
  }

  /** Logits of every head. */
  private score(vector: Resolved): Float64Array[] {
    const heads = Object.values(this.heads) as RuntimeHead[];
    const out = heads.map((h) => Float64Array.from(h.bias));
    for (let i = 0; i < vector.rows.length; i++) {
      const row = vector.rows[i];
      const v = vector.values[i];
      for (let k = 0; k < heads.length; k++) {
        const h = heads[k];
        const o = out[k];
        for (let c = 0; c < o.length; c++) o[c] += row[h.offset + c] * v;
      }
    }
    return out;
  }

  /** The features that pushed `cls` of `head` up the most, in readable form (a top-k scan, no sort of all). */
  private evidence(
    vector: Resolved,
    surface: Map<string, string>,
    head: RuntimeHead,
    cls: number,
    n: number,
  ): string[] {
    const C = head.classes.length;
    const keep = n * 4;
    const best: Array<[string, number]> = [];
    for (let i = 0; i < vector.rows.length; i++) {
      const row = vector.rows[i];
      let others = 0;
      for (let c = 0; c < C; c++) if (c !== cls) others += row[head.offset + c];
      const contribution = vector.values[i] * (row[head.offset + cls] - (C > 1 ? others / (C - 1) : 0));
      if (contribution <= 0 || (best.length === keep && contribution <= best[keep - 1][1])) continue;
      let at = best.length === keep ? keep - 1 : best.length;
      while (at > 0 && best[at - 1][1] < contribution) at--;
      best.splice(at, 0, [vector.features[i], contribution]);
      if (best.length > keep) best.pop();
    }
    const out: string[] = [];
    for (const [f] of best) {
      const word = surface.get(f) ?? f;
      if (
        word.startsWith('_') ||
        word.startsWith('~') ||
        !isContentWord(word) ||
        out.some((o) => o.includes(word) || word.includes(o))
      )
        continue;
      out.push(word.length > 40 ? word.slice(0, 40) : word);
      if (out.length === n) break;
    }
    return out;
  }

  classify(input: ClassifyInput): Decision {
    const raw = input.subject ? `${input.subject}\n${input.text ?? ''}` : (input.text ?? '');
    const plain = plainText(raw);
    const normalized = foldText(plain);
    const tokens = tokenize(normalized);
    const lang = detectLanguage(normalized, tokens, input.languageHint, plain.slice(0, 2048));
    const surface = new Map<string, string>();
    const tone = { sum: 0, hits: 0 };
    const counts = featureCounts(tokens, lang.analysis, 0, tokens.length, surface, tone, this.features);
    let grams: Map<number, number> | undefined;
    if (this.features.charGrams) charGramCounts(tokens, this.features.charGrams, (grams = new Map()));
    const vector = this.resolve(counts, grams);
    const logits = this.score(vector);
    const headLogits = (name: HeadName): Float64Array | undefined => {
      const i = (Object.keys(this.heads) as HeadName[]).indexOf(name);
      return i >= 0 ? logits[i] : undefined;
    };

    // Complaint or not, from the whole text: the features are L2-normalised, so a 2,000-word email
    // and a tweet score on the same scale (no products of probabilities, nothing underflows).
    const complaintHead = this.heads.complaint!;
    const yes = complaintHead.classes.indexOf('yes');
    const no = 1 - yes;
    const whole = headLogits('complaint')!;
    const cal = this.model.heads.complaint!.calibration;
    const margin = cal ? cal.scale * (whole[yes] - whole[no]) + cal.shift : whole[yes] - whole[no];
    // No words at all (empty, whitespace, markup only): nothing that could be a complaint.
    const complaintProbability = tokens.length === 0 ? 0 : 1 / (1 + Math.exp(-margin));
    const threshold = this.model.thresholds?.[thresholdKey(input.channel, lang.language)] ?? 0.5;
    const isComplaint = complaintProbability >= threshold;
    let complaint: ComplaintLabel = 'none';
    if (isComplaint) {
      const kind = headLogits('kind');
      if (kind) {
        const p = Float64Array.from(kind);
        softmaxInPlace(p);
        // A demand, the word complaint or a threat makes it explicit whatever the head learned.
        complaint =
          p[this.heads.kind!.classes.indexOf('explicit')] >= 0.5 ||
          this.explicitCues.some((re) => re.test(normalized))
            ? 'explicit'
            : 'latent';
      } else {
        complaint = this.explicitCues.some((re) => re.test(normalized)) ? 'explicit' : 'latent';
      }
    }

    let category = this.model.defaultCategory;
    let categoryProbability = 0;
    let categoryWords: string[] = [];
    const cat = headLogits('category');
    if (cat && tokens.length > 0) {
      const p = Float64Array.from(cat);
      softmaxInPlace(p);
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
      category = this.heads.category!.classes[best];
      categoryProbability = round(p[best]);
      categoryWords = this.evidence(vector, surface, this.heads.category!, best, 2);
    }

    const sentiment = sentimentScore(tone.sum, tone.hits);
    const fired = firedRules(this.rules, {
      normalized,
      language: lang.analysis,
      isComplaint,
      channel: input.channel,
      reach: input.reach,
      isPublic: input.isPublic,
      sentiment,
      recentComplaints: input.recentComplaints,
    });
    let priority: Priority = 'normal';
    for (const r of fired) priority = maxPriority(priority, r.raises);
    let learnedPriority = false;
    const pri = headLogits('priority');
    if (pri && isComplaint) {
      const p = Float64Array.from(pri);
      softmaxInPlace(p);
      let best = 0;
      for (let c = 1; c < p.length; c++) if (p[c] > p[best]) best = c;
      // The learned priority may raise to high; critical takes a rule that says why (safety, reach).
      let label = this.heads.priority!.classes[best] as Priority;
      if (label === 'critical') label = 'high';
      if (
        label in PRIORITY_RANK &&
        p[best] >= this.model.learnedPriorityThreshold &&
        PRIORITY_RANK[label] > PRIORITY_RANK[priority]
      ) {
        priority = label;
        learnedPriority = true;
      }
    }

    const yesOrNo = isComplaint ? yes : no;
    const why = [
      ...(tokens.length === 0 ? ['none: no text'] : []),
      ...this.evidence(vector, surface, complaintHead, yesOrNo, 3).map(
        (w) => `${isComplaint ? complaint : 'none'}: ${w}`,
      ),
      ...categoryWords.map((w) => `${category}: ${w}`),
      ...fired.map((r) => `rule: ${r.id}`),
      ...(learnedPriority ? [`priority: ${priority} (learned)`] : []),
    ];
    return {
      language: lang.language,
      complaint,
      complaintProbability: round(complaintProbability),
      category,
      categoryProbability,
      priority,
      priorityReasons: fired.map((r) => r.id),
      sentiment,
      why,
      reputationalRisk: fired.some((r) => r.reputational),
      modelVersion: this.modelVersion,
    };
  }
}

/** A classifier from the text of a model file; throws a clear error on a broken or foreign file. */
export function loadClassifier(json: string, options: LoadOptions = {}): Classifier {
  return new LinearClassifier(parseModelFile(json), options);
}

/**
 * The model shipped with the code (trained on libs/classification/domain/training): beside the
 * sources, or where a bundled app copied it (next to the bundle, or under the repository path).
 */
export function defaultModelPath(): string {
  const file = 'klaxon-default.model.json';
  const candidates = [
    join(__dirname, '..', 'model', file),
    join(__dirname, 'model', file),
    join(__dirname, 'libs', 'classification', 'domain', 'model', file),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}
