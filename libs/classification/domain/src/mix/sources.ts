import type { ComplaintCategory } from '@klaxon/contracts';
import type { TrainingExample } from '../training';
import { parseCsvRecords } from './csv';

/**
 * The public, labelled sets of `../shared/data`, mapped onto Klaxon's labels (explicit/latent/none and
 * the contracts' categories). Each function takes the file's text and returns examples in file order;
 * what a source leaves out is said in DATA-CARD.md. Pure: reading the files is `read-mix.ts`'s job.
 */
export interface SourceExample extends TrainingExample {
  source: string;
  /** Stable key of the row within its source (the split into train and held-out hashes it). */
  key: string;
}

/** Complaint tweets (Preoţiuc-Pietro et al. 2019): complaint yes/no only; no kind, no category. */
export function complaintTweets(jsonl: string): SourceExample[] {
  return jsonl
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { id: string; text: string; complaint: boolean })
    .map((o) => ({
      source: 'tweets',
      key: o.id,
      text: o.text,
      lang: 'en',
      channel: 'social',
      complaint: o.complaint,
    }));
}

// Banking77: a problem told without a demand reads as latent, a demand for money back as explicit.
const BANKING_LATENT: Record<string, ComplaintCategory> = {
  card_arrival: 'delivery',
  card_not_working: 'product',
  contactless_not_working: 'product',
  virtual_card_not_working: 'product',
  card_swallowed: 'product',
  pin_blocked: 'product',
  unable_to_verify_identity: 'product',
  top_up_failed: 'product',
  top_up_reverted: 'product',
  declined_transfer: 'product',
  declined_card_payment: 'product',
  declined_cash_withdrawal: 'product',
  failed_transfer: 'product',
  transfer_not_received_by_recipient: 'delivery',
  balance_not_updated_after_bank_transfer: 'delivery',
  balance_not_updated_after_cheque_or_cash_deposit: 'delivery',
  Refund_not_showing_up: 'price-billing',
  transaction_charged_twice: 'price-billing',
  wrong_amount_of_cash_received: 'price-billing',
  extra_charge_on_statement: 'price-billing',
  card_payment_wrong_exchange_rate: 'price-billing',
  wrong_exchange_rate_for_cash_withdrawal: 'price-billing',
  card_payment_fee_charged: 'price-billing',
  transfer_fee_charged: 'price-billing',
  cash_withdrawal_charge: 'price-billing',
  top_up_by_card_charge: 'price-billing',
  card_payment_not_recognised: 'price-billing',
  direct_debit_payment_not_recognised: 'price-billing',
  cash_withdrawal_not_recognised: 'price-billing',
};
const BANKING_EXPLICIT: Record<string, ComplaintCategory> = { request_refund: 'price-billing' };
// Left out: intents that may or may not be a problem (pending_*, reverted_card_payment?, compromised
// or lost cards, terminate_account): neither label would be true for most of their rows.
const BANKING_LEFT_OUT = new Set([
  'pending_cash_withdrawal',
  'pending_top_up',
  'pending_card_payment',
  'pending_transfer',
  'reverted_card_payment?',
  'compromised_card',
  'lost_or_stolen_card',
  'lost_or_stolen_phone',
  'terminate_account',
  'transfer_timing',
  'exchange_charge',
]);

export function banking77(csv: string, part: 'train' | 'test'): SourceExample[] {
  const out: SourceExample[] = [];
  parseCsvRecords(csv).forEach((r, i) => {
    const intent = r.category;
    if (!r.text || BANKING_LEFT_OUT.has(intent)) return;
    const base = { source: 'banking77', key: `${part}:${i}`, text: r.text, lang: 'en' };
    if (BANKING_EXPLICIT[intent])
      out.push({ ...base, complaint: 'explicit', category: BANKING_EXPLICIT[intent] });
    else if (BANKING_LATENT[intent])
      out.push({ ...base, complaint: 'latent', category: BANKING_LATENT[intent] });
    else out.push({ ...base, complaint: 'none' });
  });
  return out;
}

const BITEXT_CATEGORY: Record<string, ComplaintCategory> = {
  DELIVERY: 'delivery',
  SHIPPING_ADDRESS: 'delivery',
  ORDER: 'delivery',
  INVOICE: 'price-billing',
  PAYMENT: 'price-billing',
  REFUND: 'price-billing',
  CANCELLATION_FEE: 'price-billing',
  CONTACT: 'communication',
  FEEDBACK: 'communication',
  ACCOUNT: 'product',
};
// A delivery-period question that states a problem ("still hasn't arrived", "where is my order").
const LATE =
  /\b(still|yet|hasn'?t|has not|haven'?t|didn'?t|not (arrived|received|come)|late|delay|waiting|where is)\b/i;

/** Bitext customer support: `complaint` explicit; payment/registration problems latent; the rest none. */
export function bitext(csv: string): SourceExample[] {
  const out: SourceExample[] = [];
  parseCsvRecords(csv).forEach((r, i) => {
    const text = r.instruction?.replace(/\{\{[^}]*\}\}/g, (m) => m.slice(2, -2).toLowerCase());
    if (!text) return;
    const base = { source: 'bitext', key: String(i), text, lang: 'en' };
    const category = BITEXT_CATEGORY[r.category];
    if (r.intent === 'complaint') out.push({ ...base, complaint: 'explicit' });
    else if (r.intent === 'payment_issue') out.push({ ...base, complaint: 'latent', category });
    else if (r.intent === 'registration_problems') out.push({ ...base, complaint: 'latent', category });
    else if (r.intent === 'delivery_period')
      out.push(LATE.test(text) ? { ...base, complaint: 'latent', category } : { ...base, complaint: 'none' });
    else if (r.intent === 'review')
      return; // praise and criticism alike: no label fits all
    else out.push({ ...base, complaint: 'none' });
  });
  return out;
}

const CFPB_BILLING =
  /fee|charg|payment|pay |paying|interest|debt|billing|statement|purchase|funds|struggling|loan|lease|mortgage/i;
const CFPB_COMMUNICATION = /communication|notification|false statements|advertising|contact|threat/i;

/** CFPB narratives: every one a complaint filed with a regulator (explicit); Issue → category. */
export function cfpb(csv: string): SourceExample[] {
  const out: SourceExample[] = [];
  for (const r of parseCsvRecords(csv)) {
    const text = r['Consumer complaint narrative'];
    if (!text) continue;
    const issue = r.Issue ?? '';
    const category: ComplaintCategory = CFPB_COMMUNICATION.test(issue)
      ? 'communication'
      : CFPB_BILLING.test(issue)
        ? 'price-billing'
        : 'product';
    out.push({
      source: 'cfpb',
      key: r['Complaint ID'] || String(out.length),
      text,
      lang: 'en',
      channel: 'email',
      complaint: 'explicit',
      category,
    });
  }
  return out;
}

/** XED Dutch: lines with only anger/disgust/sadness as latent, only joy/trust/anticipation as none. */
export function xedDutch(tsv: string): SourceExample[] {
  const out: SourceExample[] = [];
  tsv.split('\n').forEach((line, i) => {
    const [text, labels] = line.split('\t');
    if (!text || !labels) return;
    const emotions = labels.split(',').map((s) => Number(s.trim()));
    const negative = emotions.every((e) => e === 1 || e === 3 || e === 6);
    const positive = emotions.every((e) => e === 2 || e === 5 || e === 8);
    if (text.split(/\s+/).length < 4) return; // "Mayday !": too short to carry a signal
    if (negative) out.push({ source: 'xed-nl', key: String(i), text, lang: 'nl', complaint: 'latent' });
    else if (positive) out.push({ source: 'xed-nl', key: String(i), text, lang: 'nl', complaint: 'none' });
  });
  return out;
}

const SEMEVAL_CATEGORY: Record<string, ComplaintCategory> = {
  SERVICE: 'staff',
  FOOD: 'product',
  DRINKS: 'product',
};
const DEMAND = /\b(nooit meer|niet meer terug|klacht|geld terug|terugbetal\w*|schande|afrader|vermijden)\b/i;
const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * SemEval-2016 Dutch restaurant sentences: a sentence with a negative opinion is a complaint (explicit
 * when it demands or warns others off), the rest none. Category when the negative opinions name one.
 */
export function semevalDutch(xml: string): SourceExample[] {
  const out: SourceExample[] = [];
  for (const m of xml.matchAll(/<sentence id="([^"]+)"[^>]*>([\s\S]*?)<\/sentence>/g)) {
    const text = decode(/<text>([\s\S]*?)<\/text>/.exec(m[2])?.[1] ?? '');
    if (!text.trim()) continue;
    const negatives = [...m[2].matchAll(/category="([A-Z_]+)#([A-Z_]+)" polarity="negative"/g)];
    const base = { source: 'semeval-nl', key: m[1], text, lang: 'nl' };
    if (negatives.length === 0) {
      out.push({ ...base, complaint: 'none' });
      continue;
    }
    const categories = new Set(
      negatives.map(([, entity, attribute]) =>
        attribute === 'PRICES' ? 'price-billing' : SEMEVAL_CATEGORY[entity],
      ),
    );
    const [only] = categories;
    out.push({
      ...base,
      complaint: DEMAND.test(text) ? 'explicit' : 'latent',
      ...(categories.size === 1 && only ? { category: only } : {}),
    });
  }
  return out;
}
