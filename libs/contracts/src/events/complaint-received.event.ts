import { z } from 'zod';
import { defineEvent } from '../define-event';
import {
  channel,
  complaintId,
  customerIdentity,
  isoDateTime,
  language,
  emailMessageMeta,
} from '../primitives';

export const complaintReceivedSchema = z.object({
  complaintId,
  channel,
  /** The source's own id (form submission id, Message-ID, post id, call note id). */
  sourceId: z.string().min(1).max(1000),
  receivedAt: isoDateTime,
  subject: z.string().max(1000).optional(),
  text: z.string().max(200_000),
  /** What the customer picked on a form ("question", "complaint", ...): a hint, never a decision. */
  customerPicked: z.enum(['complaint', 'question', 'feedback', 'other']).optional(),
  languageHint: language.optional(),
  customer: customerIdentity,
  /** The organisational unit where it landed, for decentral routing. */
  unit: z.string().max(100).optional(),
  email: emailMessageMeta.optional(),
  social: z
    .object({
      network: z.string(),
      postId: z.string(),
      conversationId: z.string().optional(),
      authorId: z.string(),
      handle: z.string(),
      followers: z.number().int().nonnegative(),
      url: z.string(),
      isPublic: z.boolean().default(true),
    })
    .optional(),
  phone: z.object({ agentId: z.string(), callAt: isoDateTime }).optional(),
  /** Complaints from the same customer in the recent past, when the channel knows it (raises priority). */
  recentComplaints: z.number().int().nonnegative().optional(),
});
export type ComplaintReceived = z.infer<typeof complaintReceivedSchema>;

export const ComplaintReceivedEvent = defineEvent({
  type: 'complaint-received',
  version: 1,
  topicStem: 'complaints.received',
  schema: complaintReceivedSchema,
  key: (d) => d.complaintId,
  example: {
    complaintId: 'cmp_0123456789abcdefghij',
    channel: 'web',
    sourceId: 'form-1',
    receivedAt: '2026-11-24T10:00:00.000+01:00',
    text: 'Mijn pakket is voor de derde keer niet bezorgd.',
    customer: { name: 'Anna de Vries', email: 'anna@example.nl' },
  },
});
