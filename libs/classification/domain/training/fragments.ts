export const CATEGORIES = ['delivery', 'product', 'communication', 'price-billing', 'staff'] as const;
export type Category = (typeof CATEGORIES)[number];
export type Trigger = 'safety' | 'legal' | 'press' | 'cancellation' | 'repeated' | 'essential';

/** Hand-written pieces of customer messages in one language, combined by generate-training-data.ts. */
export interface Fragments {
  lang: 'nl' | 'en';
  situations: Record<Category, string[]>;
  phone: Record<Category, string[]>;
  explicitOpeners: string[];
  phoneExplicit: string[];
  feelings: string[];
  demands: string[];
  triggers: Record<Trigger, string[]>;
  none: string[];
  /** More questions and praise, using the vocabulary complaints use too. */
  moreNone: string[];
  /** Neutral facts a customer mentions in passing, in complaints and non-complaints alike. */
  neutralContext: string[];
  /** Politeness shared by complaints and non-complaints. */
  polite: string[];
  phoneNone: string[];
  handles: string[];
  hashtags: string[];
  emoji: string[];
  positiveEmoji: string[];
  greetings: string[];
  closings: string[];
  names: string[];
  fillers: string[];
  subjects: { explicit: string[]; complaint: string[]; none: string[] };
  phonePrefix: string[];
}
