import { loadClassifier, type Classifier, type Decision } from './classifier';
import { serializeModel } from './model-file';
import { isComplaintGold, trainModel, type TrainingExample, type TrainModelOptions } from './training';

export interface ClassMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface LabelReport {
  label: string;
  n: number;
  accuracy: number;
  macroF1: number;
  classes: Record<string, ClassMetrics>;
  /** confusion[gold][predicted] */
  confusion: Record<string, Record<string, number>>;
  /** Complaint probability vs outcome: Brier score and expected calibration error (10 bins). */
  calibration?: { brier: number; ece: number };
}

export function calibrationOf(pairs: Array<[probability: number, outcome: boolean]>): {
  brier: number;
  ece: number;
} {
  if (pairs.length === 0) return { brier: 0, ece: 0 };
  let brier = 0;
  const bins = Array.from({ length: 10 }, () => ({ n: 0, p: 0, y: 0 }));
  for (const [p, y] of pairs) {
    brier += (p - (y ? 1 : 0)) ** 2;
    const bin = bins[Math.min(9, Math.floor(p * 10))];
    bin.n++;
    bin.p += p;
    bin.y += y ? 1 : 0;
  }
  const ece = bins.reduce(
    (sum, b) => sum + (b.n ? (b.n / pairs.length) * Math.abs(b.p / b.n - b.y / b.n) : 0),
    0,
  );
  return { brier: r3(brier / pairs.length), ece: r3(ece) };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

export function labelReport(label: string, pairs: Array<[gold: string, predicted: string]>): LabelReport {
  const classes = [...new Set(pairs.flatMap(([g, p]) => [g, p]))].sort();
  const confusion: Record<string, Record<string, number>> = {};
  for (const g of classes) confusion[g] = Object.fromEntries(classes.map((p) => [p, 0]));
  let correct = 0;
  for (const [g, p] of pairs) {
    confusion[g][p]++;
    if (g === p) correct++;
  }
  const perClass: Record<string, ClassMetrics> = {};
  let f1Sum = 0;
  let counted = 0;
  for (const c of classes) {
    const tp = confusion[c][c];
    const support = classes.reduce((s, p) => s + confusion[c][p], 0);
    const predicted = classes.reduce((s, g) => s + confusion[g][c], 0);
    const precision = predicted ? tp / predicted : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perClass[c] = { precision: r3(precision), recall: r3(recall), f1: r3(f1), support };
    if (support > 0) {
      f1Sum += f1;
      counted++;
    }
  }
  return {
    label,
    n: pairs.length,
    accuracy: r3(pairs.length ? correct / pairs.length : 0),
    macroF1: r3(counted ? f1Sum / counted : 0),
    classes: perClass,
    confusion,
  };
}

/** Gold/predicted pairs for each label the examples carry. */
export function evaluateClassifier(
  classifier: Classifier,
  examples: TrainingExample[],
  decisions?: Decision[],
): LabelReport[] {
  const probabilities: Array<[number, boolean]> = [];
  const pairs: Record<string, Array<[string, string]>> = {
    complaint: [],
    'complaint-kind': [],
    category: [],
    priority: [],
  };
  examples.forEach((e, i) => {
    const d =
      decisions?.[i] ??
      classifier.classify({ text: e.text, subject: e.subject, channel: 'web', languageHint: e.lang });
    const gold = isComplaintGold(e.complaint);
    if (gold !== undefined) probabilities.push([d.complaintProbability, gold]);
    if (gold !== undefined)
      pairs.complaint.push([gold ? 'complaint' : 'not', d.complaint === 'none' ? 'not' : 'complaint']);
    if (typeof e.complaint === 'string') pairs['complaint-kind'].push([e.complaint, d.complaint]);
    if (e.category && gold !== false) pairs.category.push([e.category, d.category]);
    if (e.priority && gold !== false) pairs.priority.push([e.priority, d.priority]);
  });
  return Object.entries(pairs)
    .filter(([, p]) => p.length > 0)
    .map(([label, p]) =>
      label === 'complaint'
        ? { ...labelReport(label, p), calibration: calibrationOf(probabilities) }
        : labelReport(label, p),
    );
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = items.slice();
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * k-fold cross-validation, stratified on the complaint label: each fold is classified by a model
 * trained on the other folds, through the same load/classify path the service uses.
 */
export function crossValidate(
  examples: TrainingExample[],
  k = 5,
  options: TrainModelOptions = {},
  seed = 13,
): LabelReport[] {
  if (examples.length < k) throw new Error(`cross-validation needs at least ${k} examples`);
  const strata = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const key = String(e.complaint ?? '?');
    if (!strata.has(key)) strata.set(key, []);
    strata.get(key)!.push(i);
  });
  const fold = new Array<number>(examples.length);
  let next = 0;
  for (const ids of strata.values()) for (const i of shuffled(ids, seed)) fold[i] = next++ % k;
  const decisions = new Array<Decision>(examples.length);
  for (let f = 0; f < k; f++) {
    const trainSet = examples.filter((_, i) => fold[i] !== f);
    const classifier = loadClassifier(serializeModel(trainModel(trainSet, options)));
    examples.forEach((e, i) => {
      if (fold[i] === f)
        decisions[i] = classifier.classify({
          text: e.text,
          subject: e.subject,
          channel: 'web',
          languageHint: e.lang,
        });
    });
  }
  return evaluateClassifier(null as unknown as Classifier, examples, decisions);
}

export function formatReports(reports: LabelReport[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(`${r.label}: n=${r.n} accuracy=${r.accuracy.toFixed(3)} macro-F1=${r.macroF1.toFixed(3)}`);
    if (r.calibration)
      lines.push(
        `  calibration of complaintProbability: brier=${r.calibration.brier.toFixed(3)} ece=${r.calibration.ece.toFixed(3)}`,
      );
    const classes = Object.keys(r.classes);
    for (const c of classes) {
      const m = r.classes[c];
      lines.push(
        `  ${c.padEnd(14)} precision=${m.precision.toFixed(3)} recall=${m.recall.toFixed(3)} f1=${m.f1.toFixed(3)} support=${m.support}`,
      );
    }
    lines.push(`  confusion (rows gold, columns predicted): ${classes.join(' | ')}`);
    for (const g of classes)
      lines.push(`  ${g.padEnd(14)} ${classes.map((p) => String(r.confusion[g][p]).padStart(5)).join(' ')}`);
  }
  return lines.join('\n');
}
