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
declare module 'natural/lib/natural/sentiment/SentimentAnalyzer' {
  class SentimentAnalyzer {
    constructor(language: string, stemmer: { stem(token: string): string } | null, type: string);
    vocabulary: Record<string, number>;
    negations: string[];
    getSentiment(words: string[]): number;
  }
  export = SentimentAnalyzer;
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
