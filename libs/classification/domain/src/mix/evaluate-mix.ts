import { loadClassifier, type Classifier } from '../classifier';
import { labelReport } from '../evaluation';
import { serializeModel } from '../model-file';
import type { Channel } from '../priority-rules';
import { isComplaintGold, type TrainModelOptions } from '../training';
import type { MixExample } from './read-mix';
import { trainOnMix } from './train-mix';

/** The channel a source's texts arrive on (tweets through the webcare queue, narratives as e-mail). */
export const SOURCE_CHANNEL: Record<string, Channel> = { tweets: 'social', cfpb: 'email' };

/** One row of the evaluation table: a scenario on one source and language. */
export interface MixScore {
  scenario: string;
  source: string;
  lang: string;
  n: number;
  /** Complaint vs not, macro-F1 over the classes present in gold. */
  macroF1: number;
  /** Share of texts the model calls complaints that are (the webcare queue's precision on social posts). */
  precision: number;
  recall: number;
  /** Category accuracy on complaints with one gold category (null: none in this group). */
  categoryAccuracy: number | null;
  categoryN: number;
  /** confusion[gold][predicted] over explicit/latent/none ("complaint" when gold has no kind). */
  confusion: Record<string, Record<string, number>>;
}

interface Scored {
  e: MixExample;
  label: string;
  category: string;
}

function classifyAll(classifier: Classifier, rows: MixExample[]): Scored[] {
  return rows.map((e) => {
    const d = classifier.classify({
      text: e.text,
      subject: e.subject,
      channel: (e.channel as Channel | undefined) ?? SOURCE_CHANNEL[e.source] ?? 'web',
      languageHint: e.lang,
    });
    return { e, label: d.complaint, category: d.category };
  });
}

function score(scenario: string, source: string, lang: string, rows: Scored[]): MixScore {
  const pairs: Array<[string, string]> = [];
  const confusion: Record<string, Record<string, number>> = {};
  let catN = 0;
  let catOk = 0;
  for (const { e, label, category } of rows) {
    const gold = isComplaintGold(e.complaint);
    if (gold === undefined) continue;
    pairs.push([gold ? 'complaint' : 'not', label === 'none' ? 'not' : 'complaint']);
    const g = typeof e.complaint === 'string' ? e.complaint : gold ? 'complaint' : 'none';
    confusion[g] ??= { explicit: 0, latent: 0, none: 0 };
    confusion[g][label]++;
    if (gold && e.category) {
      catN++;
      if (category === e.category) catOk++;
    }
  }
  const r = labelReport('complaint', pairs);
  const c = r.classes.complaint ?? { precision: 0, recall: 0 };
  return {
    scenario,
    source,
    lang,
    n: pairs.length,
    macroF1: r.macroF1,
    precision: c.precision,
    recall: c.recall,
    categoryAccuracy: catN ? Math.round((catOk / catN) * 1000) / 1000 : null,
    categoryN: catN,
    confusion,
  };
}

/** Scores per source and language (and per source when it has more than one language). */
function scoreGroups(scenario: string, scored: Scored[]): MixScore[] {
  const groups = new Map<string, Scored[]>();
  for (const s of scored) {
    const key = `${s.e.source}\t${s.e.lang ?? 'und'}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(s);
  }
  return [...groups].map(([key, rows]) => {
    const [source, lang] = key.split('\t');
    return score(scenario, source, lang, rows);
  });
}

/** Stratified k folds of rows (by complaint label), deterministic. */
function folds(rows: MixExample[], k: number): number[] {
  const out = new Array<number>(rows.length);
  const next: Record<string, number> = {};
  rows.forEach((e, i) => {
    const key = String(isComplaintGold(e.complaint));
    next[key] = (next[key] ?? 0) + 1;
    out[i] = next[key] % k;
  });
  return out;
}

/** (a) k-fold cross-validation within one source (the method trained on that source alone). */
export function crossValidateSource(
  mix: MixExample[],
  source: string,
  k = 10,
  options: TrainModelOptions = {},
): MixScore[] {
  const rows = mix.filter((e) => e.source === source);
  const fold = folds(rows, k);
  const scored: Scored[] = [];
  for (let f = 0; f < k; f++) {
    const train = rows.filter((_, i) => fold[i] !== f).map((e) => ({ ...e, split: 'train' as const }));
    const classifier = loadClassifier(serializeModel(trainOnMix(train, options)));
    scored.push(
      ...classifyAll(
        classifier,
        rows.filter((_, i) => fold[i] === f),
      ),
    );
  }
  return scoreGroups(`${k}-fold CV, ${source} only`, scored);
}

/** (b) Leave one source out: trained on the training parts of all other sources, tested on all of it. */
export function leaveOneSourceOut(
  mix: MixExample[],
  source: string,
  options: TrainModelOptions = {},
): MixScore[] {
  const classifier = loadClassifier(
    serializeModel(
      trainOnMix(
        mix.filter((e) => e.source !== source),
        options,
      ),
    ),
  );
  return scoreGroups(
    'left out',
    classifyAll(
      classifier,
      mix.filter((e) => e.source === source),
    ),
  );
}

/** (c) A model (the shipped one) on every source's held-out part. */
export function heldOutScores(classifier: Classifier, mix: MixExample[]): MixScore[] {
  return scoreGroups(
    'shipped, held out',
    classifyAll(
      classifier,
      mix.filter((e) => e.split === 'held-out'),
    ),
  );
}

const f3 = (x: number | null) => (x === null ? '  -  ' : x.toFixed(3));

/** The evaluation as a Markdown table (the training README carries it). */
export function formatMixScores(scores: MixScore[]): string {
  const kinds = ['explicit', 'latent', 'none'];
  const lines = [
    '| scenario | source | lang | n | complaint/not macro-F1 | precision (webcare on tweets) | recall | category acc. (n) | gold → predicted explicit/latent/none |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const s of scores) {
    const confusion = Object.entries(s.confusion)
      .map(([g, row]) => `${g} ${kinds.map((k) => row[k]).join('/')}`)
      .join('; ');
    lines.push(
      `| ${s.scenario} | ${s.source} | ${s.lang} | ${s.n} | ${f3(s.macroF1)} | ${f3(s.precision)} | ${f3(s.recall)} | ${f3(s.categoryAccuracy)} (${s.categoryN}) | ${confusion} |`,
    );
  }
  return lines.join('\n');
}
