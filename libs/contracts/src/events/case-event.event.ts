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

/** What a senior recorded when they completed a low-CSAT follow-up. */
export const followUpOutcome = z.enum(['contacted', 'remedy-offered', 'reopened']);
export type FollowUpOutcome = z.infer<typeof followUpOutcome>;

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
  csat: z
    .object({
      score: z.number().int().min(1).max(5),
      comment: z.string().optional(),
      /** The customer said the complaint is still open (the same action also reopens it). */
      stillOpen: z.boolean().optional(),
    })
    .optional(),
  /**
   * The action completes a low-CSAT follow-up: `responded` when the senior contacted the customer or
   * offered a remedy, `reopened` when they reopened the complaint for its owner.
   */
  followUp: z
    .object({ followUpId: z.string(), outcome: followUpOutcome, note: z.string().max(10_000).optional() })
    .optional(),
});
export type CaseEvent = z.infer<typeof caseEventSchema>;

/** A CSAT of 3 or lower, or "still open", asks for a follow-up by a senior handler (the brief's rule, shared by the stages that act on it). */
export const CSAT_FOLLOW_UP_AT_OR_BELOW = 3;
export function csatAsksForFollowUp(csat: { score: number; stillOpen?: boolean }): boolean {
  return csat.score <= CSAT_FOLLOW_UP_AT_OR_BELOW || csat.stillOpen === true;
}

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
