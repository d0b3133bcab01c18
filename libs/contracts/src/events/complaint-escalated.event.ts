import { z } from 'zod';
import { defineEvent } from '../define-event';
import { complaintId, isoDateTime } from '../primitives';

export const escalationTrigger = z.enum(['authority', 'reputational-risk', 'repeat-complainant', 'sla']);
export const escalationLevel = z.enum(['team-lead', 'executive']);

export const complaintEscalatedSchema = z.object({
  complaintId,
  trigger: escalationTrigger,
  level: escalationLevel,
  teamId: z.string().optional(),
  escalatedTo: z.string().optional(),
  reason: z.string(),
  escalatedAt: isoDateTime,
});
export type ComplaintEscalated = z.infer<typeof complaintEscalatedSchema>;

export const ComplaintEscalatedEvent = defineEvent({
  type: 'complaint-escalated',
  version: 1,
  topicStem: 'complaints.escalated',
  schema: complaintEscalatedSchema,
  key: (d) => d.complaintId,
  example: {
    complaintId: 'cmp_0123456789abcdefghij',
    trigger: 'repeat-complainant',
    level: 'team-lead',
    teamId: 'logistics',
    reason: '3 complaints in 90 days',
    escalatedAt: '2026-11-24T10:00:02.000+01:00',
  },
});
