import { z } from 'zod';
import { defineEvent } from '../define-event';
import { channel, complaintId, customerIdentity, isoDateTime, language } from '../primitives';
import { complaintLabel, priority } from '../taxonomy';

export const complaintClassifiedSchema = z.object({
  complaintId,
  channel,
  receivedAt: isoDateTime,
  classifiedAt: isoDateTime,
  language,
  complaint: complaintLabel,
  complaintProbability: z.number().min(0).max(1),
  /**
   * One of `CLASSIFIED_CATEGORIES` (taxonomy.ts). It stays an open string in v1: narrowing a released
   * field to an enum would make new consumers reject messages older producers wrote. The classifier
   * refuses a model whose classes are not in the taxonomy, and the APIs and configuration refuse values
   * outside it; a consumer reading an unknown value routes it as matching no category rule.
   */
  category: z.string().min(1),
  categoryProbability: z.number().min(0).max(1),
  priority,
  /** Ids of the priority rules that fired, e.g. `legal-threat`, `public-reach`. */
  priorityReasons: z.array(z.string()),
  /** Sentiment score, negative = unhappy. */
  sentiment: z.number(),
  /** Words and rules that drove the decisions, short enough to show an agent. */
  why: z.array(z.string()),
  /** Reputational risk: public post with large reach, press, legal threat. */
  reputationalRisk: z.boolean(),
  modelVersion: z.string().min(1),
  customer: customerIdentity,
  unit: z.string().optional(),
  reach: z.number().int().nonnegative().optional(),
});
export type ComplaintClassified = z.infer<typeof complaintClassifiedSchema>;

export const ComplaintClassifiedEvent = defineEvent({
  type: 'complaint-classified',
  version: 1,
  topicStem: 'complaints.classified',
  schema: complaintClassifiedSchema,
  key: (d) => d.complaintId,
  example: {
    complaintId: 'cmp_0123456789abcdefghij',
    channel: 'web',
    receivedAt: '2026-11-24T10:00:00.000+01:00',
    classifiedAt: '2026-11-24T10:00:01.000+01:00',
    language: 'nl',
    complaint: 'latent',
    complaintProbability: 0.83,
    category: 'delivery',
    categoryProbability: 0.91,
    priority: 'normal',
    priorityReasons: [],
    sentiment: -0.4,
    why: ['bezorgd', 'derde keer'],
    reputationalRisk: false,
    modelVersion: 'baseline-1',
    customer: { name: 'Anna de Vries', email: 'anna@example.nl' },
  },
});
