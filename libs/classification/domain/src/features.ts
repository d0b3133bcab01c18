import { isNegation, polarity, stem } from './nlp';

/**
 * Stemmed unigrams and bigrams of a token window, with counts, plus sentiment-lexicon hit counts;
 * `surface` remembers a readable form per feature, `tone` collects the polarity for the sentiment score.
 */
export function featureCounts(
  tokens: string[],
  lang: 'nl' | 'en',
  from = 0,
  to = tokens.length,
  surface?: Map<string, string>,
  tone?: { sum: number; hits: number },
): Map<string, number> {
  const counts = new Map<string, number>();
  let prev: string | null = null;
  let negative = 0;
  let positive = 0;
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
      if (tone) {
        tone.sum += negated > 0 ? -pol : pol;
        tone.hits++;
      }
    }
    if (negated > 0) negated--;
  }
  if (negative > 0) counts.set('_negative', negative);
  if (positive > 0) counts.set('_positive', positive);
  return counts;
}

/** Sublinear term frequency, L2-normalised: a 2,000-word email and a tweet live on the same scale. */
export function weigh(counts: Map<string, number>): Map<string, number> {
  let norm = 0;
  const out = new Map<string, number>();
  for (const [f, c] of counts) {
    const v = 1 + Math.log(c);
    out.set(f, v);
    norm += v * v;
  }
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm);
    for (const [f, v] of out) out.set(f, v * inv);
  }
  return out;
}
