import { z } from 'zod';

/**
 * The one taxonomy of Klaxon: what a complaint is about (category), whether it is a complaint at all
 * (label) and how urgent it is (priority). The classifier's heads, the routing rules, the SLA policies,
 * the APIs that take these values, the KPIs and the console all use exactly these slugs; a new category
 * is added here (and given a Dutch and English name in the console) and nowhere else.
 */

/** What a complaint is about: the category classes of the classifier's model. */
export const COMPLAINT_CATEGORIES = [
  'delivery',
  'product',
  'communication',
  'price-billing',
  'staff',
] as const;
export const complaintCategory = z.enum(COMPLAINT_CATEGORIES);
export type ComplaintCategory = z.infer<typeof complaintCategory>;

/**
 * The category of a complaint that has none of the categories: the classifier says so when there is no
 * text to tell (or its model has no category head), and it is what a complaint that was not classified
 * yet counts as in the KPIs. A person never corrects a complaint to it, and a model never learns it.
 */
export const UNCATEGORISED = 'uncategorised';
export type Uncategorised = typeof UNCATEGORISED;

/** Every category a classified complaint can carry: what rules, policies and filters may match on. */
export const CLASSIFIED_CATEGORIES = [...COMPLAINT_CATEGORIES, UNCATEGORISED] as const;
export const classifiedCategory = z.enum(CLASSIFIED_CATEGORIES);
export type ClassifiedCategory = z.infer<typeof classifiedCategory>;

export function isClassifiedCategory(value: unknown): value is ClassifiedCategory {
  return (CLASSIFIED_CATEGORIES as readonly unknown[]).includes(value);
}

/** explicit: the author complains or demands; latent: a negative experience told without a demand; none: anything else. */
export const COMPLAINT_LABELS = ['explicit', 'latent', 'none'] as const;
export const complaintLabel = z.enum(COMPLAINT_LABELS);
export type ComplaintLabel = z.infer<typeof complaintLabel>;

export const PRIORITIES = ['critical', 'high', 'normal'] as const;
export const priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof priority>;
