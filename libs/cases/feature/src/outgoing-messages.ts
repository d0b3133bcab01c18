import type { EntityManager } from 'typeorm';
import { ApiError } from '@klaxon/platform/runtime';

/** How a message from a handler reaches the customer. */
export type Delivery = 'email' | 'x' | 'manual';
export type XMode = 'public' | 'dm';

/** X counts 280 characters for a post; a DM takes 10,000. */
export const X_POST_LIMIT = 280;
export const X_DM_LIMIT = 10_000;

export interface ComplaintForMessage {
  id: string;
  channel: string;
  language: string | null;
  subject: string | null;
  customer: { name?: string; email?: string; handle?: string } | null;
  channel_meta: Record<string, unknown> | null;
}

type Meta = {
  messageId?: string;
  email?: { messageId?: string; references?: string[] };
  social?: { postId?: string; authorId?: string };
};

/** The channel a complaint came in on decides how we answer: X under the post, e-mail when we have an address, else by hand. */
export function deliveryOf(row: ComplaintForMessage): Delivery {
  if (row.channel === 'social') return 'x';
  return row.customer?.email ? 'email' : 'manual';
}

/** Refuses a text X would refuse (280 characters for a public reply), before anything is recorded. */
export function checkLength(row: ComplaintForMessage, message: string, mode: XMode | undefined): void {
  if (deliveryOf(row) !== 'x') return;
  const limit = mode === 'dm' ? X_DM_LIMIT : X_POST_LIMIT;
  if ([...message].length > limit)
    throw ApiError.badRequest(
      'too-long-for-x',
      `an X ${mode === 'dm' ? 'direct message' : 'reply'} takes at most ${limit} characters (this one has ${[...message].length})`,
      'message',
    );
}

/**
 * Queues a handler's message (a reply or an acknowledgement) to the customer in the caller's
 * transaction; the sla stage's sender sends it exactly once. E-mail threads on the customer's last
 * message (In-Reply-To) and the whole conversation (References).
 */
export async function queueCustomerMessage(
  manager: EntityManager,
  row: ComplaintForMessage,
  o: {
    kind: 'reply' | 'acknowledgement';
    dedupeKey: string;
    message: string;
    mode?: XMode;
    author: string;
    now: Date;
  },
): Promise<Delivery> {
  const delivery = deliveryOf(row);
  const meta = (row.channel_meta ?? {}) as Meta;
  let inReplyTo: string | null = null;
  let references: string[] = [];
  if (delivery === 'email') {
    const original = meta.email?.messageId ?? meta.messageId;
    const later = (await manager.query(
      `SELECT data->'email'->>'messageId' AS id FROM complaint_history
        WHERE complaint_id = $1 AND kind = 'customer-message' AND data->'email'->>'messageId' IS NOT NULL ORDER BY at, id`,
      [row.id],
    )) as Array<{ id: string }>;
    const sent = (await manager.query(
      `SELECT message_id FROM customer_messages WHERE complaint_id = $1 AND channel = 'email' AND message_id IS NOT NULL ORDER BY id`,
      [row.id],
    )) as Array<{ message_id: string }>;
    references = [
      ...new Set([
        ...(meta.email?.references ?? []),
        ...(original ? [original] : []),
        ...sent.map((s) => s.message_id.replace(/^<|>$/g, '')),
        ...later.map((l) => l.id),
      ]),
    ].slice(-20);
    // Answer the customer's last mail; else their first; else thread under what we sent last.
    inReplyTo = later.at(-1)?.id ?? original ?? sent.at(-1)?.message_id.replace(/^<|>$/g, '') ?? null;
  }
  const ref = referenceOf(row.id);
  const nl = row.language?.startsWith('nl') ?? true;
  const subject =
    o.kind === 'acknowledgement'
      ? nl
        ? `Uw klacht is ontvangen (${ref})`
        : `We have received your complaint (${ref})`
      : `Re: ${row.subject ?? (nl ? 'uw klacht' : 'your complaint')} (${ref})`;
  await manager.query(
    `INSERT INTO customer_messages (complaint_id, kind, dedupe_key, channel, language, recipient, subject, body, in_reply_to, "references", mode, author, due_at, status, last_error)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT DO NOTHING`,
    [
      row.id,
      o.kind,
      o.dedupeKey,
      delivery === 'x' ? 'x' : 'email',
      nl ? 'nl' : 'en',
      delivery === 'x' ? (meta.social?.authorId ?? null) : (row.customer?.email ?? null),
      subject,
      o.message,
      delivery === 'x' ? (meta.social?.postId ?? null) : inReplyTo,
      references,
      delivery === 'x' ? (o.mode ?? 'public') : null,
      o.author,
      o.now.toISOString(),
      delivery === 'manual' ? 'manual' : 'pending',
      delivery === 'manual' ? 'no e-mail address: call the customer back' : null,
    ],
  );
  return delivery;
}

/** `cmp_abcd1234…` → `KLX-ABCD-1234` (the reference every channel shows). */
export function referenceOf(complaintId: string): string {
  const core = complaintId.replace(/^cmp_/, '').toUpperCase();
  return `KLX-${core.slice(0, 4)}-${core.slice(4, 8)}`;
}
