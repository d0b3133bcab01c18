/**
 * Cues that mean the same in Dutch and English, as features shared by both languages: what is
 * learned from English complaints about demands, threats and repeated failures helps Dutch text.
 */
const CUES: Array<[string, RegExp]> = [
  [
    '_cue_demand',
    /^(refund|refunds|refunded|compensation|reimburse\w*|terugbetal\w*|terugstorten|terugstorting|vergoeding|compensatie|schadevergoeding)$/,
  ],
  ['_cue_complaint', /^(klacht\w*|klagen|klaag|beklag|complain\w*|complaint\w*)$/],
  [
    '_cue_threat',
    /^(lawyer|attorney|sue|court|legal|ombudsman|advocaat|rechter|rechtszaak|consumentenbond|geschillencommissie|kassa|media|pers|press|twitter|cancel\w*|opzeggen|opzegging|overstappen|leave|switching|nooit|never)$/,
  ],
  ['_cue_again', /^(again|alweer|weer|nogmaals|opnieuw|still|steeds|third|derde|another)$/],
  [
    '_cue_wait',
    /^(waiting|wachten|wacht|gewacht|waited|hours|uur|days|dagen|weeks|weken|months|maanden|late|laat|delayed|vertraging|vertraagd)$/,
  ],
  [
    '_cue_broken',
    /^(broken|kapot|stuk|defect|defecte|damaged|beschadigd|faulty|error|fout|storing|outage|down|crash\w*)$/,
  ],
  ['_cue_nobody', /^(nobody|no-one|niemand|nothing|niets|nowhere|nergens|geen)$/],
  ['_cue_question', /^(how|hoe|can|kan|kunnen|could|wat|what|when|wanneer|where|waar|is|does|do)$/],
  ['_cue_thanks', /^(thanks|thank|thx|bedankt|dank|dankjewel|dankuwel|merci|top|super|love)$/],
];

const cache = new Map<string, string | null>();

/** The cue a word is (memoised: a handful of regular expressions per new word, a lookup after). */
function cueOf(word: string): string | null {
  let cue = cache.get(word);
  if (cue === undefined) {
    cue = null;
    for (const [name, re] of CUES)
      if (re.test(word)) {
        cue = name;
        break;
      }
    if (cache.size >= 200_000) cache.clear();
    cache.set(word, cue);
  }
  return cue;
}

export function cueFeatures(tokens: string[], from: number, to: number, counts: Map<string, number>): void {
  let exclaim = 0;
  let question = 0;
  for (let i = from; i < to && i < from + 400; i++) {
    const t = tokens[i];
    if (t === '!') exclaim++;
    else if (t === '?') question++;
    else if (t.length > 2) {
      const name = cueOf(t);
      if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    if (i === from && counts.has('_cue_question')) counts.set('_starts_question', 1);
  }
  if (exclaim > 1) counts.set('_exclaim', exclaim);
  if (question > 0) counts.set('_question', 1);
}
