import { cueFeatures } from './cues';
import { isNegation, polarity, stem } from './nlp';

/** Which features a model was trained with (recorded in the model file; absent = words only). */
export interface FeatureOptions {
  /** Hashed character n-grams of each word (spelling variants, compounds): n from min to max. */
  charGrams?: { min: number; max: number; buckets: number; weight: number; maxTokens: number };
  /** Language-independent cue counts: lexicon tone, negated praise, sarcasm, demands, repetition. */
  cues?: boolean;
}

/**
 * Words and cues. Character n-grams (e.g. `{ min: 3, max: 4, buckets: 65536, weight: 0.5, maxTokens:
 * 200 }`) measured no better on the tweets (10-fold 0.797 either way) nor on left-out Dutch SemEval
 * (0.614 vs 0.618) and train 4-7× slower, so they are off by default.
 */
export const DEFAULT_FEATURES: FeatureOptions = { cues: true };

/** Name of a hashed character n-gram bucket as the model file stores it. */
export const gramName = (bucket: number) => `~${bucket}`;

/**
 * Hashed character n-grams of the words (with boundary marks, as fastText does), counted into
 * `into` by bucket; only plain words, only the first `maxTokens` tokens (so long mail stays fast).
 */
export function charGramCounts(
  tokens: string[],
  options: NonNullable<FeatureOptions['charGrams']>,
  into: Map<number, number>,
  from = 0,
  to = tokens.length,
): void {
  const end = Math.min(to, from + options.maxTokens);
  const mask = options.buckets - 1;
  const codes: number[] = [];
  for (let t = from; t < end; t++) {
    const tok = tokens[t];
    const first = tok.charCodeAt(0);
    if (tok.length < 2 || first === 95 /* _ */ || first < 97 || first > 122) continue;
    codes.length = 0;
    codes.push(60); // <
    for (let i = 0; i < tok.length; i++) codes.push(tok.charCodeAt(i));
    codes.push(62); // >
    for (let i = 0; i < codes.length; i++) {
      let h = 0x811c9dc5;
      for (let n = 1; n <= options.max && i + n <= codes.length; n++) {
        h = Math.imul(h ^ codes[i + n - 1], 0x01000193);
        if (n >= options.min) {
          const b = (h ^ (n * 0x9e3779b1)) & mask;
          into.set(b, (into.get(b) ?? 0) + 1);
        }
      }
    }
  }
}

/**
 * Stemmed unigrams and bigrams of a token window, with counts, plus sentiment-lexicon hit counts and
 * cue features; `surface` remembers a readable form per feature, `tone` collects the polarity for
 * the sentiment score.
 */
export function featureCounts(
  tokens: string[],
  lang: 'nl' | 'en',
  from = 0,
  to = tokens.length,
  surface?: Map<string, string>,
  tone?: { sum: number; hits: number },
  options: FeatureOptions = {},
): Map<string, number> {
  const counts = new Map<string, number>();
  let prev: string | null = null;
  let negative = 0;
  let positive = 0;
  let negatedPositive = 0;
  let negated = 0;
  let prevTok = '';
  for (let i = from; i < to; i++) {
    const tok = tokens[i];
    const s = stem(lang, tok);
    counts.set(s, (counts.get(s) ?? 0) + 1);
    if (surface && !surface.has(s)) surface.set(s, tok);
    if (prev !== null) {
      const bi = prev + ' ' + s;
      counts.set(bi, (counts.get(bi) ?? 0) + 1);
      if (surface && !surface.has(bi)) surface.set(bi, prevTok + ' ' + tok);
    }
    prev = s;
    prevTok = tok;
    // Sentiment lexicon hits as features of their own: "broken" and "gebroken" both say "negative".
    if (isNegation(lang, tok)) {
      negated = 3;
      continue;
    }
    const pol = polarity(lang, tok);
    if (pol !== 0) {
      if (pol < 0 !== negated > 0) negative++;
      else positive++;
      if (pol > 0 && negated > 0) negatedPositive++;
      if (tone) {
        tone.sum += negated > 0 ? -pol : pol;
        tone.hits++;
      }
    }
    if (negated > 0) negated--;
  }
  if (negative > 0) counts.set('_negative', negative);
  if (positive > 0) counts.set('_positive', positive);
  if (options.cues) {
    if (negatedPositive > 0) counts.set('_negated_positive', negatedPositive);
    // Praise next to a complaint's words reads as sarcasm ("Geweldig hoor, alweer te laat").
    if (positive > 0 && negative > 0) counts.set('_mixed_tone', 1);
    if (negative > 0 && positive === 0) counts.set('_only_negative', 1);
    cueFeatures(tokens, from, to, counts);
  }
  return counts;
}

/**
 * Sublinear term frequency, L2-normalised per block (words and cues; character n-grams scaled by
 * their weight): a 2,000-word email and a tweet live on the same scale.
 */
export function weigh(
  counts: Map<string, number>,
  grams?: Map<number, number>,
  gramWeight = 1,
): Map<string, number> {
  const out = new Map<string, number>();
  let norm = 0;
  for (const [f, c] of counts) {
    const v = c === 1 ? 1 : 1 + Math.log(c);
    out.set(f, v);
    norm += v * v;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (const [f, v] of out) out.set(f, v * inv);
  }
  if (grams && grams.size) {
    let gnorm = 0;
    for (const c of grams.values()) {
      const v = c === 1 ? 1 : 1 + Math.log(c);
      gnorm += v * v;
    }
    const inv = gramWeight / Math.sqrt(gnorm);
    for (const [b, c] of grams) out.set(gramName(b), (c === 1 ? 1 : 1 + Math.log(c)) * inv);
  }
  return out;
}
