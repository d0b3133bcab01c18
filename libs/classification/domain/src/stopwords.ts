import { StopwordsNl } from '@nlpjs/lang-nl';
import { words as englishStopWords } from 'natural/lib/natural/util/stopwords';

/** Dutch (@nlpjs/lang-nl) and English (natural) stop words: never shown as evidence. */
let stop: Set<string> | null = null;

export function isStopWord(word: string): boolean {
  stop ??= new Set([...Object.keys(new StopwordsNl().dictionary), ...englishStopWords]);
  return stop.has(word);
}
