import type { Priority } from '@klaxon/contracts';

/** The taxonomy's priorities (the contracts own them). */
export type { Priority };
export type Channel = 'web' | 'phone' | 'email' | 'social';

/**
 * A configurable rule that raises priority. Every condition given must hold; patterns are regular
 * expressions over the lowercased text without diacritics ("financiele" matches "financiële").
 */
export interface PriorityRule {
  id: string;
  raises: 'critical' | 'high';
  /** Counts towards reputational risk when it fires. */
  reputational?: boolean;
  /** Any of these matches (per detected language, or `any`). */
  patterns?: { any?: string[]; nl?: string[]; en?: string[] };
  /** Only when the text is a complaint (explicit or latent). */
  onlyComplaints?: boolean;
  channels?: Channel[];
  publicReachAtLeast?: number;
  sentimentAtMost?: number;
  recentComplaintsAtLeast?: number;
}

export const DEFAULT_PRIORITY_RULES: PriorityRule[] = [
  {
    id: 'safety',
    raises: 'critical',
    patterns: {
      nl: [
        '\\b(brand|brandje|vlam(men)?|rookontwikkeling|rook|ontplof\\w*|explo\\w*|kortsluiting|stroomschok|schok gekregen|niet veilig|brandlucht|schroeilucht|ruikt verbrand|doorgeslikt|ingeslikt|verslikt|(stuk|stukje|scherf) (plastic|metaal|glas)|levensgevaarlijk|gewond|gesneden|snijwond\\w*|scherpe rand|smelt\\w*|oververhit\\w*|verwond\\w*|ziekenhuis|eerste hulp|huisarts|allergische reactie|vergiftig\\w*|gevaarlijk\\w*|onveilig\\w*|levensgevaar\\w*|gaslucht|gaslek|koolmonoxide|stikken|verstikking|verbrand\\w*|brandwond\\w*|glas(scherven)? in)\\b',
      ],
      en: [
        '\\b(fire|caught fire|flames?|smoke|smoking|explod\\w*|short circuit|electric shock|got a shock|injur\\w*|cut (himself|herself|myself|themselves)|sharp edge|melt\\w*|overheat\\w*|hurt (myself|my|him|her)|hospital|a&e|emergency room|allergic reaction|poison\\w*|not safe|burning smell|smells? (of )?burn\\w*|swallow\\w*|choked|piece of (plastic|metal|glass)|dangerous|unsafe|hazard\\w*|gas leak|carbon monoxide|choking|burn(ed|t|s)? (my|his|her)|glass in)\\b',
      ],
    },
  },
  {
    id: 'legal-threat',
    raises: 'high',
    reputational: true,
    patterns: {
      nl: [
        '\\b(advocaat|jurist|rechtszaak|rechter|rechtbank|juridische stappen|juridisch\\w*|aanklagen|aangifte|geschillencommissie|ombudsman|consumentenbond|ingebrekestelling|in gebreke|sommatie|rechtsbijstand|acm|deurwaarder)\\b',
      ],
      en: [
        '\\b(lawyer|attorney|solicitor|legal action|legal advice|sue|suing|lawsuit|court|small claims|trading standards|ombudsman|chargeback|bbb|better business bureau)\\b',
      ],
    },
  },
  {
    id: 'press-media',
    raises: 'high',
    reputational: true,
    patterns: {
      nl: [
        '\\b(journalist\\w*|de pers|krant|(radar|kassa) (al )?(gemaild|ingeschakeld|getipt|benaderd)|(naar|aan) (radar|kassa)|omroep|tv-programma|media|viral|iedereen laten weten|ga dit delen|deel dit|publiekelijk)\\b',
      ],
      en: [
        '\\b(journalist\\w*|the press|newspaper|reporter|media|bbc|watchdog|viral|tell everyone|sharing this|everyone should know|going public)\\b',
      ],
    },
  },
  {
    id: 'cancellation',
    raises: 'high',
    patterns: {
      nl: [
        '\\b(opzeggen|opzegging|zeg\\w* (ik )?(mijn \\w+ )?op|abonnement (beeindig|stop)\\w*|overstappen|stap (ik )?over|ga over naar|andere aanbieder|nooit meer (bij|iets)|laatste keer (dat ik )?(bij|iets)|klant (af|geweest))\\b',
      ],
      en: [
        "\\b(cancel(l?ing)? my (subscription|contract|account|membership|plan)|i('m| am| will| want to| am going to) cancel|terminat\\w* (my |the )?(contract|subscription)|switching to|switch to another|close my account|closing my account|take my business elsewhere|never (again|ordering|buying|shopping)|last time i (order|buy|use)\\w*|lost a customer|former customer)\\b",
      ],
    },
  },
  {
    id: 'repeated-failure',
    raises: 'high',
    patterns: {
      nl: [
        '\\b(derde|vierde|vijfde|zoveelste|3e|4e|5e) (keer|maal|week)|\\b(alweer|wederom|steeds weer|elke keer weer|iedere keer weer|(nog steeds|nog altijd) niet (opgelost|gerepareerd|verholpen|gemaakt)|al (twee|drie|vier|\\d+) (keer|weken|maanden)|weer (kapot|stuk|mis)( gegaan)?)\\b',
      ],
      en: [
        "\\b(third|fourth|fifth|3rd|4th|5th|umpteenth|nth) time|\\b(yet again|once again|again and again|still (not|isn't|hasn't been) (fixed|resolved|solved|sorted|repaired)|keeps? (happening|breaking|failing|crashing)|for (two|three|four|\\d+) (weeks|months) now|(2|3|4|two|three|four) times now)\\b",
      ],
    },
  },
  {
    id: 'essential-service',
    raises: 'high',
    patterns: {
      nl: [
        '\\b(geen (stroom|verwarming|warm water|water|internet) (meer|sinds)|zonder (stroom|verwarming|warm water)|medicijn\\w*|insuline|baby|rolstoel|bejaard\\w*|hoogbejaard|mantelzorg\\w*)\\b',
      ],
      en: [
        '\\b(no (power|heating|heat|hot water|water) (since|for)|without (power|heating|heat|hot water)|medication|medicine|insulin|newborn|baby|wheelchair|elderly|disabled|carer)\\b',
      ],
    },
  },
  {
    id: 'viral-reach',
    raises: 'critical',
    reputational: true,
    onlyComplaints: true,
    publicReachAtLeast: 100_000,
  },
  {
    id: 'public-reach',
    raises: 'high',
    reputational: true,
    onlyComplaints: true,
    publicReachAtLeast: 10_000,
  },
  { id: 'very-negative', raises: 'high', onlyComplaints: true, sentimentAtMost: -0.5 },
  { id: 'repeat-complainant', raises: 'high', recentComplaintsAtLeast: 3 },
];

export interface RuleContext {
  normalized: string;
  language: 'nl' | 'en';
  isComplaint: boolean;
  channel: Channel;
  reach?: number;
  isPublic?: boolean;
  sentiment: number;
  recentComplaints?: number;
}

export interface CompiledRule {
  rule: PriorityRule;
  any: RegExp[];
  nl: RegExp[];
  en: RegExp[];
}

export function compileRules(rules: PriorityRule[]): CompiledRule[] {
  const ids = new Set<string>();
  return rules.map((rule) => {
    if (!rule.id || ids.has(rule.id))
      throw new Error(`priority rule ids must be unique and non-empty: "${rule.id}"`);
    ids.add(rule.id);
    if (rule.raises !== 'critical' && rule.raises !== 'high')
      throw new Error(`priority rule ${rule.id}: raises must be critical or high`);
    const compile = (list?: string[]) =>
      (list ?? []).map((p) => {
        try {
          return new RegExp(p, 'u');
        } catch (err) {
          throw new Error(`priority rule ${rule.id}: bad pattern ${p}: ${(err as Error).message}`);
        }
      });
    return {
      rule,
      any: compile(rule.patterns?.any),
      nl: compile(rule.patterns?.nl),
      en: compile(rule.patterns?.en),
    };
  });
}

/** The rules that fire, in configuration order. */
export function firedRules(rules: CompiledRule[], ctx: RuleContext): PriorityRule[] {
  const out: PriorityRule[] = [];
  for (const c of rules) {
    const r = c.rule;
    if (r.onlyComplaints && !ctx.isComplaint) continue;
    if (r.channels && !r.channels.includes(ctx.channel)) continue;
    if (
      r.publicReachAtLeast !== undefined &&
      !(ctx.isPublic !== false && ctx.channel === 'social' && (ctx.reach ?? 0) >= r.publicReachAtLeast)
    )
      continue;
    if (r.sentimentAtMost !== undefined && !(ctx.sentiment <= r.sentimentAtMost)) continue;
    if (
      r.recentComplaintsAtLeast !== undefined &&
      !((ctx.recentComplaints ?? 0) >= r.recentComplaintsAtLeast)
    )
      continue;
    if (r.patterns) {
      const list = [...c.any, ...c[ctx.language]];
      if (!list.some((re) => re.test(ctx.normalized))) continue;
    }
    out.push(r);
  }
  return out;
}

export const PRIORITY_RANK: Record<Priority, number> = { normal: 0, high: 1, critical: 2 };
export function maxPriority(a: Priority, b: Priority): Priority {
  return PRIORITY_RANK[a] >= PRIORITY_RANK[b] ? a : b;
}
