import franc from 'franc-min';

const ISO3_TO_1: Record<string, string> = {
  nld: 'nl',
  eng: 'en',
  deu: 'de',
  fra: 'fr',
  spa: 'es',
  ita: 'it',
  por: 'pt',
  tur: 'tr',
  pol: 'pl',
};
const CANDIDATES = Object.keys(ISO3_TO_1);

// Frequent function words: decisive between Dutch and English even in a short tweet.
export const NL_FUNCTION_WORDS = new Set(
  'de het een en van ik je niet is dat op te zijn met voor er maar ook al nog wel geen mijn jullie u uw was heb heeft wordt werd om bij naar dan als wat nu toch weer kan kunnen moet deze die dit hier zou waarom hoe wanneer graag bedankt alsjeblieft'.split(
    ' ',
  ),
);
export const EN_FUNCTION_WORDS = new Set(
  'the a an and of i you not is that on to be with for there but also still my your was have has been get got will would can could should this these those here why how when what please thanks thank it me we they'.split(
    ' ',
  ),
);

// Frequent German, French and Spanish function words: when these dominate, trigrams decide.
const OTHER_FUNCTION_WORDS = new Set(
  'der und ist nicht ich das mit sie wir auf fur eine ein zu den dem von sich auch es bitte le la les et est pas je vous une des pour que qui dans el los las y es por para una con'.split(
    ' ',
  ),
);

export interface LanguageResult {
  /** ISO 639-1 code (nl, en, de, ...) or `und` when there is nothing to go on. */
  language: string;
  /** The language whose stemmer and sentiment lexicon are used: nl or en. */
  analysis: 'nl' | 'en';
}

const decided = (code: 'nl' | 'en'): LanguageResult => ({ language: code, analysis: code });

/**
 * Dutch and English first (function words, then franc-min's trigrams); other languages are marked
 * and still processed with the English tools. The hint breaks ties and covers texts too short to tell.
 */
export function detectLanguage(
  normalized: string,
  tokens: string[],
  hint?: string,
  /** The text with its diacritics (trigrams need them to tell French from Spanish); `normalized` otherwise. */
  sampleText?: string,
): LanguageResult {
  let nl = 0;
  let en = 0;
  let other = 0;
  for (let i = 0; i < tokens.length && i < 400; i++) {
    if (NL_FUNCTION_WORDS.has(tokens[i])) nl++;
    else if (EN_FUNCTION_WORDS.has(tokens[i])) en++;
    else if (OTHER_FUNCTION_WORDS.has(tokens[i])) other++;
  }
  const hinted = hint ? hint.toLowerCase().slice(0, 2) : undefined;
  // Function words decide when they clearly agree (trigrams cost more than the rest of classification).
  if (other * 2 < nl + en && ((nl + en >= 3 && nl !== en) || (nl >= 2 && en === 0) || (en >= 2 && nl === 0)))
    return decided(nl > en ? 'nl' : 'en');
  const source = sampleText ?? normalized;
  const sample = source.length > 2048 ? source.slice(0, 2048) : source;
  const letters = sample.replace(/[^\p{L}]/gu, '').length;
  if (letters >= 25) {
    const top = franc.all(sample, { only: CANDIDATES, minLength: 10 })[0]?.[0];
    const code = top ? ISO3_TO_1[top] : undefined;
    if (code === 'nl' || code === 'en') return decided(code);
    if (code && (nl + en === 0 || other >= nl + en)) return { language: code, analysis: 'en' };
  }
  if (nl !== en) return decided(nl > en ? 'nl' : 'en');
  if (hinted === 'nl' || hinted === 'en') return decided(hinted);
  if (letters >= 10) {
    const guess = franc(sample, { only: ['nld', 'eng'], minLength: 10 });
    if (guess === 'nld') return decided('nl');
    if (guess === 'eng') return decided('en');
  }
  return { language: hinted ?? 'und', analysis: 'en' };
}
