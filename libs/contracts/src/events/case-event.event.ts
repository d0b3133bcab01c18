import { z } from 'zod';
import { defineEvent } from '../define-event';
import { complaintId, isoDateTime } from '../primitives';
import { complaintLabel, priority } from '../taxonomy';

export const caseAction = z.enum([
  'acknowledged',
  'responded',
  'waiting-on-customer',
  'customer-replied',
  'resolved',
  'reopened',
  'handed-back',
  'corrected',
  'csat-received',
]);
export type CaseAction = z.infer<typeof caseAction>;

export const caseEventSchema = z.object({
  caseEventId: z.string(),
  complaintId,
  action: caseAction,
  actor: z.object({ type: z.enum(['user', 'system', 'customer']), id: z.string() }),
  at: isoDateTime,
  message: z.string().max(100_000).optional(),
  resolution: z.object({ founded: z.boolean(), summary: z.string() }).optional(),
  correction: z
    .object({
      /** One of `COMPLAINT_CATEGORIES` (the case API refuses others); an open string in v1 (see ComplaintClassified). */
      category: z.string().optional(),
      priority: priority.optional(),
      complaint: complaintLabel.optional(),
    })
    .optional(),
  csat: z.object({ score: z.number().int().min(1).max(5), comment: z.string().optional() }).optional(),
});
export type CaseEvent = z.infer<typeof caseEventSchema>;

export const CaseEventEvent = defineEvent({
  type: 'case-event',
  version: 1,
  topicStem: 'cases.events',
  schema: caseEventSchema,
  key: (d) => d.complaintId,
  example: {
    caseEventId: 'ce-1',
    complaintId: 'cmp_0123456789abcdefghij',
    action: 'acknowledged',
    actor: { type: 'system', id: 'sla' },
    at: '2026-11-24T10:05:00.000+01:00',
  },
});
