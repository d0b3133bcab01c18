import { z } from 'zod';
import { defineEvent } from '../define-event';
import { channel, complaintId, customerIdentity, isoDateTime, emailMessageMeta } from '../primitives';

/**
 * A further message from the customer about an existing complaint (an email reply, matched by its
 * In-Reply-To / References headers or the complaint reference in the subject). It is stored on the
 * complaint as a message in its history; it never opens a new complaint.
 */
export const customerMessageReceivedSchema = z.object({
  complaintId,
  /** Stable id of this message, derived from the source: a re-read carries the same id. */
  messageId: z.string().min(1).max(200),
  channel,
  /** The source's own id (mailbox + Message-ID, or mailbox + UIDVALIDITY + UID). */
  sourceId: z.string().min(1).max(1000),
  receivedAt: isoDateTime,
  subject: z.string().max(1000).optional(),
  text: z.string().max(200_000),
  customer: customerIdentity,
  /** How the message was linked to the complaint. */
  matchedBy: z.enum(['in-reply-to', 'references', 'subject-reference']),
  email: emailMessageMeta.optional(),
});
export type CustomerMessageReceived = z.infer<typeof customerMessageReceivedSchema>;

export const CustomerMessageReceivedEvent = defineEvent({
  type: 'customer-message-received',
  version: 1,
  topicStem: 'complaints.messages',
  schema: customerMessageReceivedSchema,
  key: (d) => d.complaintId,
  example: {
    complaintId: 'cmp_0123456789abcdefghij',
    messageId: 'msg_0123456789abcdefghij',
    channel: 'email',
    sourceId: 'klachten@example.nl/INBOX#mid:reply-1@example.nl',
    receivedAt: '2026-11-24T11:00:00.000+01:00',
    subject: 'Re: Uw klacht KLX-0123-4567',
    text: 'Het pakket is nog steeds niet bezorgd.',
    customer: { name: 'Anna de Vries', email: 'anna@example.nl' },
    matchedBy: 'in-reply-to',
    email: {
      mailbox: 'klachten@example.nl/INBOX',
      messageId: 'reply-1@example.nl',
      inReplyTo: 'original-1@example.nl',
      references: ['original-1@example.nl'],
      attachments: [],
    },
  },
});
