import type { EntityManager } from 'typeorm';
import { ComplaintReceivedEvent, encodeEvent, type ComplaintReceived } from '@klaxon/contracts';
import { appendHistory } from './history.writer';
import { appendToOutbox } from './outbox';

/** A complaint a channel took in, with the first history entry it writes about it. */
export interface ComplaintRegistration {
  received: ComplaintReceived;
  correlationId: string;
  /** Who registered it, e.g. `intake:web`, `email-ingest:support`, `social-ingest:x`. */
  actor: string;
  reason: string;
  /** The history entry's data (the source id is added). */
  data?: Record<string, unknown>;
}

/**
 * The one way every channel registers complaints (intake's web and phone, e-mail, social), in the
 * caller's transaction: the complaint row, its first history entry and its `ComplaintReceived` in the
 * outbox — all three or none. A complaint whose id exists already (a retried post, a mail or post seen
 * again) adds nothing. Returns, per registration in order, whether it created the complaint (the first
 * of several registrations of one id is the one that did). A channel advances its own checkpoint in
 * the same transaction, after this.
 */
export async function registerComplaints(
  manager: EntityManager,
  registrations: ComplaintRegistration[],
): Promise<boolean[]> {
  if (registrations.length === 0) return [];
  const rows = (await manager.query(
    `INSERT INTO complaints (id, channel, source_id, status, received_at, subject, text, customer, customer_picked, unit, channel_meta, correlation_id, created_at, updated_at)
     SELECT id, channel, source_id, 'received', received_at, subject, text, customer, customer_picked, unit, channel_meta, correlation_id, now(), now()
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, channel text, source_id text, received_at timestamptz, subject text, text text, customer jsonb,
            customer_picked text, unit text, channel_meta jsonb, correlation_id text)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [
      JSON.stringify(
        registrations.map(({ received: r, correlationId }) => ({
          id: r.complaintId,
          channel: r.channel,
          source_id: r.sourceId,
          received_at: r.receivedAt,
          subject: r.subject ?? null,
          text: r.text,
          customer: r.customer,
          customer_picked: r.customerPicked ?? null,
          unit: r.unit ?? null,
          // The same shape the classifier's read side expects for every channel.
          channel_meta:
            r.email || r.social || r.phone ? { email: r.email, social: r.social, phone: r.phone } : null,
          correlation_id: correlationId,
        })),
      ),
    ],
  )) as Array<{ id: string }>;
  const fresh = new Set(rows.map((r) => r.id));
  const created = registrations.map((g) => fresh.delete(g.received.complaintId));
  const stored = registrations.filter((_, n) => created[n]);
  await appendHistory(
    manager,
    stored.map(({ received: r, correlationId, actor, reason, data }) => ({
      complaintId: r.complaintId,
      at: r.receivedAt,
      kind: 'received',
      actor,
      reason,
      data: { sourceId: r.sourceId, ...data },
      eventId: `${r.complaintId}:received`,
      correlationId,
    })),
  );
  await appendToOutbox(
    manager,
    stored.map(({ received, correlationId }) =>
      encodeEvent(ComplaintReceivedEvent, received, {
        eventId: `${received.complaintId}:received`,
        correlationId,
      }),
    ),
  );
  return created;
}
