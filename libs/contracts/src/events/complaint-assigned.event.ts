import { z } from 'zod';
import { defineEvent } from '../define-event';
import { channel, complaintId, isoDateTime } from '../primitives';
import { priority } from '../taxonomy';

export const assignmentReasonSchema = z.object({
  rule: z.string(),
  candidates: z.array(z.object({ memberId: z.string(), load: z.number().int().nonnegative() })),
  chosenBecause: z.string(),
});

export const complaintAssignedSchema = z.object({
  complaintId,
  channel,
  /** One of `CLASSIFIED_CATEGORIES`; an open string in v1 (see ComplaintClassified). */
  category: z.string(),
  priority,
  receivedAt: isoDateTime,
  assignedAt: isoDateTime,
  teamId: z.string(),
  ownerId: z.string(),
  ownerName: z.string(),
  reason: assignmentReasonSchema,
});
export type ComplaintAssigned = z.infer<typeof complaintAssignedSchema>;

export const ComplaintAssignedEvent = defineEvent({
  type: 'complaint-assigned',
  version: 1,
  topicStem: 'complaints.assigned',
  schema: complaintAssignedSchema,
  key: (d) => d.complaintId,
  example: {
    complaintId: 'cmp_0123456789abcdefghij',
    channel: 'web',
    category: 'delivery',
    priority: 'normal',
    receivedAt: '2026-11-24T10:00:00.000+01:00',
    assignedAt: '2026-11-24T10:00:02.000+01:00',
    teamId: 'logistics',
    ownerId: 'm-logistics-1',
    ownerName: 'Sanne Jansen',
    reason: {
      rule: 'category=delivery',
      candidates: [{ memberId: 'm-logistics-1', load: 0 }],
      chosenBecause: 'least loaded',
    },
  },
});
