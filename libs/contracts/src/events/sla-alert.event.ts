import { z } from 'zod';
import { defineEvent } from '../define-event';
import { complaintId, isoDateTime } from '../primitives';

export const slaClock = z.enum([
  'acknowledgement',
  'owner',
  'first-response',
  'resolution',
  'csat-follow-up',
]);
export type SlaClockKind = z.infer<typeof slaClock>;
export const slaAlertKind = z.enum(['warning', 'breach', 'escalation']);

export const slaAlertSchema = z.object({
  alertId: z.string(),
  complaintId,
  clock: slaClock,
  kind: slaAlertKind,
  deadline: isoDateTime,
  firedAt: isoDateTime,
  ownerId: z.string().optional(),
  teamId: z.string().optional(),
});
export type SlaAlert = z.infer<typeof slaAlertSchema>;

export const SlaAlertEvent = defineEvent({
  type: 'sla-alert',
  version: 1,
  topicStem: 'sla.alerts',
  schema: slaAlertSchema,
  key: (d) => d.complaintId,
  example: {
    alertId: 'cmp_0123456789abcdefghij:first-response:breach',
    complaintId: 'cmp_0123456789abcdefghij',
    clock: 'first-response',
    kind: 'breach',
    deadline: '2026-11-27T10:00:00.000+01:00',
    firedAt: '2026-11-27T10:00:00.200+01:00',
    ownerId: 'm-logistics-1',
    teamId: 'logistics',
  },
});
