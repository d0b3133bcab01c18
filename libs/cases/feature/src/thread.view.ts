import { z } from 'zod';

/** Where an outgoing message stands: `delivered` where the channel says so (a post on X exists). */
export const deliveryState = z.enum(['queued', 'sent', 'delivered', 'failed', 'manual']);
export type DeliveryState = z.infer<typeof deliveryState>;

export const threadMessageSchema = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound', 'internal']),
  kind: z.enum([
    'complaint',
    'customer-message',
    'acknowledgement',
    'reply',
    'csat-request',
    'incident-notice',
    'note',
  ]),
  channel: z.string(),
  author: z.string(),
  at: z.string(),
  subject: z.string().nullable(),
  text: z.string(),
  delivery: z
    .object({
      state: deliveryState,
      /** Why it failed or is left to be sent by hand. */
      reason: z.string().nullable(),
      /** `smtp`, `mail-catcher` (the demo), `x`, `x-not-posted`. */
      transport: z.string().nullable(),
      /** The SMTP Message-ID (the idempotency key), the X post or DM id. */
      messageId: z.string().nullable(),
      externalId: z.string().nullable(),
      /** X: `public` (a reply under the post) or `dm`. */
      mode: z.string().nullable(),
      recipient: z.string().nullable(),
      sentAt: z.string().nullable(),
    })
    .optional(),
});
export type ThreadMessage = z.infer<typeof threadMessageSchema>;
export const threadSchema = z.object({ complaintId: z.string(), items: z.array(threadMessageSchema) });

export const noteSchema = z.strictObject({ text: z.string().trim().min(1).max(10_000) });

export const sentMailSchema = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      complaintId: z.string(),
      kind: z.string(),
      channel: z.string(),
      transport: z.string().nullable(),
      recipient: z.string().nullable(),
      subject: z.string(),
      text: z.string(),
      messageId: z.string().nullable(),
      state: deliveryState,
      reason: z.string().nullable(),
      sentAt: z.string().nullable(),
    }),
  ),
});
export type SentMail = z.infer<typeof sentMailSchema>;

/** The row's status as the thread shows it. */
export function stateOf(status: string, transport: string | null): DeliveryState {
  if (status === 'pending' || status === 'sending') return 'queued';
  if (status === 'sent') return transport === 'x' ? 'delivered' : 'sent';
  if (status === 'failed') return 'failed';
  return 'manual';
}
