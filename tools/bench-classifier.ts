/**
 * npm run bench:classifier [-- --data ../shared/data/complaint-tweets/train.jsonl --seconds 2]
 *
 * Classifications per second on one core (one Node thread), for short posts (~30 tokens) and long
 * emails (~2,000 tokens), for Klaxon's classifier and, side by side on the same data, natural's
 * BayesClassifier; peak memory; and accuracy (complaint or not) on short vs long.
 *
 * Data: the labelled tweets, split 80/20 (fixed seed): both classifiers train on the 80%.
 * Tweets = the held-out 20% as they are; short = each joined with the next ones of its label to
 * ≥ 30 tokens. Long = held-out texts of one label joined into a
 * ~2,000-word email (length robustness: natural's Bayes underflows here). Reply = each held-out tweet
 * on top of a reply with signature, quoted ~2,000-word thread and disclaimer (the classifier reads
 * what the customer wrote now). Buried = each held-out tweet at a random place in ~2,000 words of
 * unmarked boilerplate: a tweet-trained model has never seen such text, so this row measures domain
 * shift as much as length. Without the tweets file it falls back to the project's own training set.
 */
process.env.DOTENV_CONFIG_QUIET = 'true';

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import {
  normalizeText,
  tokenize,
  isComplaintGold,
  loadClassifier,
  parseTrainingJsonl,
  serializeModel,
  trainModel,
  type TrainingExample,
} from '@klaxon/classification/domain';

const { values: args } = parseArgs({
  options: {
    data: {
      type: 'string',
      default: join(__dirname, '..', '..', 'shared', 'data', 'complaint-tweets', 'train.jsonl'),
    },
    seconds: { type: 'string', default: '2' },
  },
});
const SECONDS = Number(args.seconds);
const dataFile = existsSync(args.data!)
  ? args.data!
  : join(__dirname, '..', 'libs', 'classification', 'domain', 'training', 'klaxon-training.jsonl');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}
const random = rng(42);

const FILLER = [
  'Order confirmation. Thank you for your order. Below you will find an overview of the items, the delivery address and the payment details.',
  'Item: wireless keyboard, quantity 1, price 49.99. Item: USB-C cable two metres, quantity 2, price 9.98. Subtotal 59.97, shipping 4.95, VAT included.',
  'Delivery address: 14 Station Road, apartment 3B. Delivery window: Tuesday between 08:00 and 18:00. Payment method: card ending 4412.',
  'On Monday the customer service team wrote: Thank you for contacting us. We have received your message and will get back to you within three working days.',
  'Your reference number is 88213-A. Please quote this number in all correspondence. Our opening hours are Monday to Friday from nine to five.',
  'This email and any attachments are confidential and intended solely for the addressee. If you have received it in error, please notify the sender and delete it.',
  'Sent from my phone. Get the app for your mobile device. Follow us on social media for news, offers and updates about our products and stores.',
  'Terms and conditions apply. Returns are accepted within thirty days of receipt in the original packaging together with the receipt or order number.',
  'The previous message in this thread was forwarded by our colleague from the logistics department and contains the tracking details for the shipment.',
  'Kind regards, the customer team. Our privacy statement explains how we process personal data and which rights you have under the applicable law.',
];

/** Held-out texts of the same label joined until ~2,000 words: a long email in the customer's own words. */
function joinedEmail(i: number): string {
  const parts = [short[i]];
  let words = short[i].split(/\s+/).length;
  for (let k = 1; words < 1950; k++) {
    const j = (i + k) % short.length;
    if (gold[j] !== gold[i]) continue;
    parts.push(short[j]);
    words += short[j].split(/\s+/).length;
  }
  return parts.join('\n');
}

function buriedEmail(core: string): string {
  const parts: string[] = [];
  let words = 0;
  while (words < 1950) {
    const f = FILLER[Math.floor(random() * FILLER.length)];
    parts.push(f);
    words += f.split(/\s+/).length;
  }
  parts.splice(Math.floor(random() * parts.length), 0, core);
  return parts.join('\n');
}

/**
 * A reply as mail clients write it: the customer's message on top, then greeting, signature, "sent
 * from", and ~2,000 words of the quoted earlier thread (order confirmation, service replies) and a
 * disclaimer below.
 */
function replyEmail(core: string): string {
  const quoted: string[] = [];
  let words = 0;
  while (words < 1900) {
    const f = FILLER[Math.floor(random() * FILLER.length)];
    quoted.push(`> ${f}`);
    words += f.split(/\s+/).length;
  }
  return [
    core,
    '',
    'Kind regards,',
    'Sam',
    '-- ',
    'Sam Jones | Flat 3B, 14 Station Road | +44 20 7946 0000',
    'Sent from my phone',
    '',
    'On Mon, 2 Mar 2026 at 10:12, Customer Service <service@shop.example> wrote:',
    ...quoted,
    'This email and any attachments are confidential and intended solely for the addressee.',
  ].join('\n');
}

const all = parseTrainingJsonl(readFileSync(dataFile, 'utf8'), dataFile).filter(
  (e) => isComplaintGold(e.complaint) !== undefined,
);
const train: TrainingExample[] = [];
const test: TrainingExample[] = [];
for (const e of all) (random() < 0.8 ? train : test).push(e);
const gold = test.map((e) => isComplaintGold(e.complaint)!);
const short = test.map((e) => e.text);
const long = short.map((_, i) => joinedEmail(i));
const buried = short.map(buriedEmail);
const replies = short.map(replyEmail);
const tokenCount = (t: string) => tokenize(normalizeText(t)).length;
const words = (texts: string[]) =>
  Math.round(texts.reduce((s, t) => s + t.split(/\s+/).length, 0) / texts.length);
const tokens = (texts: string[]) => Math.round(texts.reduce((s, t) => s + tokenCount(t), 0) / texts.length);
/** Posts of ~30 tokens: a held-out tweet, joined with the next ones of the same label while under 30 tokens. */
const posts = short.map((text, i) => {
  let out = text;
  for (let k = 1; tokenCount(out) < 30 && k < short.length; k++) {
    const j = (i + k) % short.length;
    if (gold[j] === gold[i]) out += ' ' + short[j];
  }
  return out;
});

function rate(texts: string[], classify: (t: string) => boolean): { perSecond: number; accuracy: number } {
  let correct = 0;
  texts.forEach((t, i) => (correct += classify(t) === gold[i] ? 1 : 0));
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < SECONDS * 1000)
    for (let i = 0; i < 50; i++, n++) classify(texts[n % texts.length]);
  return {
    perSecond: Math.round(n / ((performance.now() - start) / 1000)),
    accuracy: correct / texts.length,
  };
}

const mb = (kb: number) => `${Math.round(kb / 1024)} MB`;
const rows: string[][] = [];

let t0 = performance.now();
const ours = loadClassifier(serializeModel(trainModel(train, { name: 'bench' })));
const ourTrainMs = Math.round(performance.now() - t0);
const ourShort = rate(short, (t) => ours.classify({ text: t, channel: 'social' }).complaint !== 'none');
const ourPosts = rate(posts, (t) => ours.classify({ text: t, channel: 'social' }).complaint !== 'none');
const ourLong = rate(long, (t) => ours.classify({ text: t, channel: 'email' }).complaint !== 'none');
const ourReplies = rate(replies, (t) => ours.classify({ text: t, channel: 'email' }).complaint !== 'none');
const ourBuried = rate(buried, (t) => ours.classify({ text: t, channel: 'email' }).complaint !== 'none');
const ourPeak = process.resourceUsage().maxRSS;

// natural's classifier needs the whole library (storage backends and all): loaded only now.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const natural = require('natural') as typeof import('natural');
t0 = performance.now();
const bayes = new natural.BayesClassifier();
for (const e of train) bayes.addDocument(e.text, isComplaintGold(e.complaint) ? 'yes' : 'no');
bayes.train();
const bayesTrainMs = Math.round(performance.now() - t0);
const bayesShort = rate(short, (t) => bayes.classify(t) === 'yes');
const bayesPosts = rate(posts, (t) => bayes.classify(t) === 'yes');
const bayesLong = rate(long, (t) => bayes.classify(t) === 'yes');
const bayesReplies = rate(replies, (t) => bayes.classify(t) === 'yes');
const bayesBuried = rate(buried, (t) => bayes.classify(t) === 'yes');
const bothPeak = process.resourceUsage().maxRSS;

rows.push(['', 'klaxon (log-space LR+NB)', 'natural BayesClassifier']);
rows.push(['train (ms)', String(ourTrainMs), String(bayesTrainMs)]);
rows.push([`tweets/s (~${tokens(short)} tokens)`, String(ourShort.perSecond), String(bayesShort.perSecond)]);
rows.push([`short/s (~${tokens(posts)} tokens)`, String(ourPosts.perSecond), String(bayesPosts.perSecond)]);
rows.push([`long/s (~${tokens(long)} tokens)`, String(ourLong.perSecond), String(bayesLong.perSecond)]);
rows.push([
  `reply/s (~${words(replies)} words)`,
  String(ourReplies.perSecond),
  String(bayesReplies.perSecond),
]);
rows.push(['accuracy tweets', ourShort.accuracy.toFixed(3), bayesShort.accuracy.toFixed(3)]);
rows.push(['accuracy short', ourPosts.accuracy.toFixed(3), bayesPosts.accuracy.toFixed(3)]);
rows.push(['accuracy long', ourLong.accuracy.toFixed(3), bayesLong.accuracy.toFixed(3)]);
rows.push(['accuracy reply', ourReplies.accuracy.toFixed(3), bayesReplies.accuracy.toFixed(3)]);
rows.push(['accuracy buried', ourBuried.accuracy.toFixed(3), bayesBuried.accuracy.toFixed(3)]);
rows.push(['peak RSS', mb(ourPeak), `${mb(bothPeak)} (both loaded)`]);

process.stdout.write(
  `data: ${dataFile}\ntrain ${train.length}, test ${test.length} (${gold.filter(Boolean).length} complaints); ${SECONDS}s per measurement, one thread; ` +
    `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on ${cpus().length} cores\n\n`,
);
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
for (const r of rows) process.stdout.write(r.map((cell, c) => cell.padEnd(widths[c])).join('  ') + '\n');
process.stdout.write('\ntargets: ≥ 5,000/s short, ≥ 300/s long, long accuracy no worse than short\n');
