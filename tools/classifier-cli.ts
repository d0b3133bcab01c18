/**
 * The classifier on the command line: the same load/classify code path the service runs.
 *
 *   npm run -s classifier -- train --data FILE.jsonl [--data MORE.jsonl] --out MODEL [--name NAME] [--folds 5|0]
 *   npm run -s classifier -- train-mix [--shared-data ../shared/data] [--out MODEL]   (the shipped model)
 *   npm run -s classifier -- evaluate [--shared-data ../shared/data] [--model MODEL]  (the evaluation table)
 *   npm run -s classifier -- classify [--model MODEL] < in.jsonl > out.jsonl
 *   npm run -s classifier -- evaluate [--model MODEL] --data FILE.jsonl
 *   npm run -s classifier -- export-corrections --database-url URL > corrections.jsonl
 *   npm run -s classifier -- retrain --database-url URL --data base.jsonl --out MODEL
 *
 * Training data is JSONL: {"text", "lang"?, "complaint"?, "category"?, "priority"?} per line.
 */
process.env.DOTENV_CONFIG_QUIET = 'true';

import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  crossValidate,
  defaultModelPath,
  crossValidateSource,
  formatMixScores,
  heldOutScores,
  leaveOneSourceOut,
  mixCounts,
  type MixScore,
  readMix,
  trainOnMix,
  evaluateClassifier,
  formatReports,
  loadClassifier,
  parseTrainingJsonl,
  serializeModel,
  trainModel,
  type ClassifyInput,
  type TrainingExample,
} from '@klaxon/classification/domain';

class UsageError extends Error {}

const USAGE = `usage:
  classifier train --data FILE.jsonl [--data MORE.jsonl] --out MODEL [--name NAME] [--folds K (0 = no cross-validation)]
  classifier train-mix [--shared-data DIR] [--out MODEL] [--name NAME]
  classifier evaluate [--shared-data DIR] [--model MODEL] [--only a,b] [--folds 10]
  classifier classify [--model MODEL] < in.jsonl > out.jsonl
  classifier evaluate [--model MODEL] --data FILE.jsonl
  classifier export-corrections --database-url URL > corrections.jsonl
  classifier retrain --database-url URL [--data base.jsonl | --shared-data DIR] --out MODEL [--name NAME] [--folds K]`;

function parseArgs(argv: string[]): { command: string; flags: Map<string, string[]> } {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') throw new UsageError('');
  const flags = new Map<string, string[]>();
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}"`);
    const [name, inline] = a.slice(2).split('=', 2);
    const value = inline ?? rest[++i];
    if (value === undefined) throw new UsageError(`--${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return { command, flags };
}

const one = (flags: Map<string, string[]>, name: string, required = false): string | undefined => {
  const v = flags.get(name)?.at(-1);
  if (required && v === undefined) throw new UsageError(`--${name} is required`);
  return v;
};

/** The project's own labelled data, beside the public sets in the training mix. */
const OWN_SOURCES: Array<[string, string]> = [
  ['klaxon', 'libs/classification/domain/training/klaxon-training.jsonl'],
  ['handwritten-nl', 'libs/classification/domain/training/handwritten-nl.jsonl'],
];

function mixFrom(flags: Map<string, string[]>) {
  const dataDir = one(flags, 'shared-data') ?? '../shared/data';
  const only = one(flags, 'only')?.split(',');
  const { examples, missing } = readMix({ dataDir, own: OWN_SOURCES, only });
  if (missing.length) process.stderr.write(`not found under ${dataDir}: ${missing.join(', ')}\n`);
  return examples;
}

function trainMix(
  flags: Map<string, string[]>,
  log: (s: string) => void,
  corrections: TrainingExample[] = [],
): void {
  const mix = [
    ...mixFrom(flags),
    ...corrections.map((e, i) => ({
      ...e,
      source: 'corrections',
      key: e.id ?? String(i),
      split: 'train' as const,
    })),
  ];
  const out = one(flags, 'out') ?? defaultModelPath();
  for (const [source, c] of Object.entries(mixCounts(mix)))
    log(
      `${source.padEnd(16)} train ${String(c.train).padStart(5)}  held out ${String(c.heldOut).padStart(5)}`,
    );
  const model = trainOnMix(mix, { name: one(flags, 'name') ?? 'klaxon-default' });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, serializeModel(model));
  renameSync(tmp, out);
  log(`model ${model.modelVersion} (input ${model.trainedOn.inputHash?.slice(0, 12)}) → ${out}`);
}

/** (a) 10-fold CV on the tweets, (b) leave-one-source-out, (c) the model on each held-out part. */
function evaluateMix(flags: Map<string, string[]>, log: (s: string) => void): void {
  const mix = mixFrom(flags);
  const scenarios = (one(flags, 'scenarios') ?? 'a,b,c').split(',');
  const k = Number(one(flags, 'folds') ?? 10);
  const scores: MixScore[] = [];
  const sources = [...new Set(mix.map((e) => e.source))];
  if (scenarios.includes('a') && sources.includes('tweets'))
    scores.push(...crossValidateSource(mix, 'tweets', k));
  if (scenarios.includes('b'))
    for (const source of sources.filter((s) => !OWN_SOURCES.some(([own]) => own === s)))
      scores.push(...leaveOneSourceOut(mix, source));
  if (scenarios.includes('c')) {
    const classifier = loadClassifier(readFileSync(one(flags, 'model') ?? defaultModelPath(), 'utf8'));
    log(`model ${classifier.modelVersion}`);
    scores.push(...heldOutScores(classifier, mix));
  }
  log(formatMixScores(scores));
}

function readExamples(files: string[]): TrainingExample[] {
  return files.flatMap((f) => parseTrainingJsonl(readFileSync(f, 'utf8'), f));
}

function train(examples: TrainingExample[], flags: Map<string, string[]>, log: (s: string) => void): void {
  const out = one(flags, 'out', true)!;
  const name = one(flags, 'name') ?? 'klaxon';
  const folds = Number(one(flags, 'folds') ?? 5);
  if (!Number.isInteger(folds) || folds < 0 || folds === 1)
    throw new UsageError('--folds must be 0 or an integer ≥ 2');
  log(`${examples.length} training examples`);
  if (folds >= 2) {
    log(`${folds}-fold cross-validation:`);
    log(formatReports(crossValidate(examples, folds, { name })));
  }
  const model = trainModel(examples, { name });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, serializeModel(model));
  renameSync(tmp, out); // atomic: a running service never reads half a model
  log(`model ${model.modelVersion} → ${out}`);
}

async function classify(flags: Map<string, string[]>): Promise<number> {
  const classifier = loadClassifier(readFileSync(one(flags, 'model') ?? defaultModelPath(), 'utf8'));
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  let failed = 0;
  let lineNo = 0;
  let buffer: string[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const chunk = buffer.join('');
    buffer = [];
    if (!process.stdout.write(chunk)) await new Promise((r) => process.stdout.once('drain', r));
  };
  for await (const line of lines) {
    lineNo++;
    if (!line.trim()) continue;
    let id: unknown = null;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      id = o.id ?? null;
      if (typeof o.text !== 'string') throw new Error('"text" must be a string');
      const channel = (
        ['web', 'phone', 'email', 'social'].includes(o.channel as string) ? o.channel : 'web'
      ) as ClassifyInput['channel'];
      const d = classifier.classify({
        text: o.text,
        subject: typeof o.subject === 'string' ? o.subject : undefined,
        channel,
        languageHint:
          typeof o.lang === 'string'
            ? o.lang
            : typeof o.languageHint === 'string'
              ? o.languageHint
              : undefined,
        reach: typeof o.reach === 'number' ? o.reach : undefined,
        isPublic: typeof o.isPublic === 'boolean' ? o.isPublic : undefined,
        recentComplaints: typeof o.recentComplaints === 'number' ? o.recentComplaints : undefined,
      });
      const { language, ...rest } = d;
      buffer.push(JSON.stringify({ id, lang: language, ...rest }) + '\n');
    } catch (err) {
      failed++;
      const message = `line ${lineNo}: ${(err as Error).message}`;
      process.stderr.write(`classify: ${message}\n`);
      buffer.push(JSON.stringify({ id, error: message }) + '\n');
    }
    if (buffer.length >= 256) await flush();
  }
  await flush();
  return failed > 0 ? 1 : 0;
}

async function exportCorrections(url: string): Promise<TrainingExample[]> {
  const { Client } = await import('pg');
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{
      text: string;
      subject: string | null;
      language: string | null;
      complaint: string | null;
      category: string | null;
      priority: string | null;
      complaint_id: string;
    }>(
      `SELECT complaint_id, text, subject, language, complaint, category, priority FROM training_examples ORDER BY id`,
    );
    return rows.map((r) => ({
      id: r.complaint_id,
      text: r.text,
      ...(r.subject ? { subject: r.subject } : {}),
      ...(r.language ? { lang: r.language } : {}),
      ...(r.complaint ? { complaint: r.complaint as TrainingExample['complaint'] } : {}),
      ...(r.category ? { category: r.category } : {}),
      ...(r.priority ? { priority: r.priority as TrainingExample['priority'] } : {}),
    }));
  } finally {
    await client.end();
  }
}

async function main(argv: string[]): Promise<number> {
  const { command, flags } = parseArgs(argv);
  const log = (s: string) => process.stdout.write(s + '\n');
  switch (command) {
    case 'train':
      if (!flags.get('data')) throw new UsageError('--data is required');
      train(readExamples(flags.get('data')!), flags, log);
      return 0;
    case 'train-mix':
      trainMix(flags, log);
      return 0;
    case 'classify':
      return classify(flags);
    case 'evaluate': {
      if (!flags.get('data')) {
        evaluateMix(flags, log);
        return 0;
      }
      const classifier = loadClassifier(readFileSync(one(flags, 'model') ?? defaultModelPath(), 'utf8'));
      const examples = readExamples(flags.get('data') ?? []);
      if (examples.length === 0) throw new UsageError('--data is required and must hold examples');
      log(`model ${classifier.modelVersion}, ${examples.length} examples`);
      log(formatReports(evaluateClassifier(classifier, examples)));
      return 0;
    }
    case 'export-corrections': {
      const examples = await exportCorrections(one(flags, 'database-url', true)!);
      process.stdout.write(examples.map((e) => JSON.stringify(e) + '\n').join(''));
      process.stderr.write(`${examples.length} corrections exported\n`);
      return 0;
    }
    case 'retrain': {
      const corrections = await exportCorrections(one(flags, 'database-url', true)!);
      log(`${corrections.length} corrections from the database`);
      if (!flags.get('data')) {
        // The shipped mix plus the handlers' corrections (all of them trained on).
        trainMix(flags, log, corrections);
        return 0;
      }
      const base = readExamples(flags.get('data') ?? []);
      train([...base, ...corrections], flags, log);
      return 0;
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) process.stderr.write(`${err.message ? err.message + '\n' : ''}${USAGE}\n`);
    else process.stderr.write(`classifier: ${(err as Error).message}\n`);
    process.exitCode = 2;
  },
);
