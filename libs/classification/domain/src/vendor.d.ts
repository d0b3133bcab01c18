// natural's deep modules (required one by one so importing the classifier does not pull in natural's
// storage backends, which load ./.env and mongoose/pg/redis on import).
declare module 'natural/lib/natural/stemmers/porter_stemmer_nl' {
  const stemmer: { stem(token: string): string };
  export = stemmer;
}
declare module 'natural/lib/natural/stemmers/porter_stemmer' {
  const stemmer: { stem(token: string): string };
  export = stemmer;
}
declare module 'natural/lib/natural/tokenizers/aggressive_tokenizer_nl' {
  class AggressiveTokenizerNl {
    tokenize(text: string): string[];
  }
  export = AggressiveTokenizerNl;
}
declare module 'franc-min' {
  interface Options {
    only?: string[];
    ignore?: string[];
    minLength?: number;
  }
  function franc(value: string, options?: Options): string;
  namespace franc {
    function all(value: string, options?: Options): Array<[string, number]>;
  }
  export = franc;
}
declare module 'natural/lib/natural/sentiment/Dutch/pattern-sentiment-nl.json' {
  const lexicon: Record<string, { polarity?: string }>;
  export = lexicon;
}
declare module 'natural/lib/natural/sentiment/English/pattern-sentiment-en.json' {
  const lexicon: Record<string, { polarity?: string }>;
  export = lexicon;
}
declare module 'natural/lib/natural/sentiment/Dutch/negations_du.json' {
  const negations: { words: string[] };
  export = negations;
}
declare module 'natural/lib/natural/sentiment/English/negations_en.json' {
  const negations: { words: string[] };
  export = negations;
}
declare module 'natural/lib/natural/util/stopwords' {
  export const words: string[];
}
declare module '@nlpjs/lang-nl' {
  export class StopwordsNl {
    dictionary: Record<string, boolean>;
  }
}
