import { z } from 'zod';
import { defineEvent } from '../define-event';
import { complaintId, isoDateTime } from '../primitives';

/**
 * The router gave a complaint's follow-up (after a low CSAT, or "still open") to someone: a senior
 * handler of the complaint's team, else its team lead. The complaint keeps its own owner; the
 * follow-up has its own clock, and this says whose it is.
 */
export const followUpAssignedSchema = z.object({
  followUpId: z.string(),
  complaintId,
  kind: z.enum(['low-csat']),
  teamId: z.string(),
  ownerId: z.string(),
  ownerName: z.string(),
  ownerRole: z.string(),
  /** When the follow-up was asked for (the CSAT's time): its clock starts here. */
  openedAt: isoDateTime,
  assignedAt: isoDateTime,
  reason: z.string(),
  csatScore: z.number().int().min(1).max(5).optional(),
  stillOpen: z.boolean().optional(),
});
export type FollowUpAssigned = z.infer<typeof followUpAssignedSchema>;

export const FollowUpAssignedEvent = defineEvent({
  type: 'follow-up-assigned',
  version: 1,
  topicStem: 'complaints.followups',
  schema: followUpAssignedSchema,
  key: (d) => d.complaintId,
  example: {
    followUpId: 'fu_0123456789abcdef',
    complaintId: 'cmp_0123456789abcdefghij',
    kind: 'low-csat',
    teamId: 'logistics',
    ownerId: 'm-logistics-senior',
    ownerName: 'Ruben Bos',
    ownerRole: 'senior',
    openedAt: '2026-12-03T12:00:00.000+01:00',
    assignedAt: '2026-12-03T12:00:01.000+01:00',
    reason: 'CSAT 2: the least loaded senior of logistics',
    csatScore: 2,
  },
});
