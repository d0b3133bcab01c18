import type { DataSource, EntityManager } from 'typeorm';
import { CaseEventEvent, encodeEvent, type CaseEvent } from '@klaxon/contracts';
import { backoffDelay } from '@klaxon/platform/errors';
import type { Logger } from '@klaxon/platform/observability';
import { appendHistory, appendToOutbox, returnedRows } from '@klaxon/platform/persistence';
import type { Clock } from '@klaxon/platform/runtime';
import { referenceFor } from '@klaxon/sla/domain';
import { emailTransport, xTransport, type MessageTransport, type SendResult } from './message-transports';
import type { SlaOptions } from './sla.options';

type MessageRow = {
  id: string;
  complaint_id: string;
  kind: string;
  channel: 'email' | 'x';
  status: string;
  recipient: string | null;
  subject: string;
  body: string;
  in_reply_to: string | null;
  references: string[];
  mode: 'public' | 'dm' | null;
  idempotency_key: string;
  attempts: number;
};

const MAX_ATTEMPTS = 5;
export const IN_DOUBT =
  'in doubt: the sender stopped between starting the send and recording it; not sent again, so the customer never gets it twice';

/**
 * Sends what is due, exactly once: a send is recorded as started (`sending`, with its Message-ID, in a
 * transaction of its own) before anything leaves, and as `sent` after. A row still `sending` when its
 * lease ran out was interrupted mid-send (a crash): it is marked failed as in doubt, never sent again.
 */
export class MessageSender {
  private readonly email: MessageTransport;
  private readonly x: MessageTransport;
  private readonly domain: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: SlaOptions,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.email = emailTransport(options);
    this.x = xTransport(options);
    this.domain = /@([^>\s]+)>?\s*$/.exec(options.smtp?.from ?? '')?.[1] ?? 'klaxon.invalid';
  }

  close(): void {
    this.email.close();
    this.x.close();
  }

  /** The SMTP Message-ID of a message: its idempotency key and the complaint reference. */
  messageIdOf(key: string, complaintId: string): string {
    return `<${key}.${referenceFor(complaintId).toLowerCase()}@${this.domain}>`;
  }

  async sendDue(limit = 50): Promise<number> {
    const now = this.clock.now();
    const lease = new Date(now.getTime() + (this.options.sendLeaseMs ?? 60_000));
    const claimed = await this.dataSource.transaction(async (m) => {
      const due = returnedRows<MessageRow>(
        await m.query(
          `SELECT id, complaint_id, kind, channel, status, recipient, subject, body, in_reply_to, "references", mode, idempotency_key, attempts
             FROM customer_messages WHERE channel IN ('email', 'x') AND status IN ('pending', 'sending') AND due_at <= $1
            ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
          [now.toISOString(), limit],
        ),
      );
      const doubtful = due.filter((r) => r.status === 'sending');
      if (doubtful.length > 0) {
        await m.query(
          `UPDATE customer_messages SET status = 'failed', last_error = $2, lease_until = NULL WHERE id = ANY($1::bigint[])`,
          [doubtful.map((r) => r.id), IN_DOUBT],
        );
        this.logger.warn(
          { messages: doubtful.map((r) => r.id) },
          'customer messages in doubt after an interrupted send: not resent',
        );
      }
      const todo = due.filter((r) => r.status === 'pending');
      for (const r of todo) {
        await m.query(
          `UPDATE customer_messages SET status = 'sending', sending_at = $2, lease_until = $3, due_at = $3, attempts = attempts + 1,
                  message_id = COALESCE(message_id, $4) WHERE id = $1`,
          [r.id, now.toISOString(), lease.toISOString(), this.messageIdOf(r.idempotency_key, r.complaint_id)],
        );
      }
      return todo;
    });
    for (const msg of claimed) await this.sendOne(msg);
    return claimed.length;
  }

  private async sendOne(msg: MessageRow): Promise<void> {
    const reference = referenceFor(msg.complaint_id);
    const bracket = (id: string) => (id.startsWith('<') ? id : `<${id}>`);
    let result: SendResult;
    try {
      result = await (msg.channel === 'x' ? this.x : this.email).send({
        complaintId: msg.complaint_id,
        reference,
        recipient: msg.recipient,
        subject: msg.subject.includes(reference) ? msg.subject : `${msg.subject} (${reference})`,
        body: msg.body,
        messageId: this.messageIdOf(msg.idempotency_key, msg.complaint_id),
        inReplyTo: msg.channel === 'x' ? msg.in_reply_to : msg.in_reply_to && bracket(msg.in_reply_to),
        references: (msg.references ?? []).map(bracket),
        mode: msg.mode,
      });
    } catch (err) {
      result = { outcome: 'retry', reason: String((err as Error).message ?? err) };
    }
    const now = this.clock.now();
    await this.dataSource.transaction(async (m) => {
      if (result.outcome === 'sent' || result.outcome === 'not-sent') {
        const r = result;
        const sent = r.outcome === 'sent';
        await m.query(
          `UPDATE customer_messages SET status = $2, sent_at = $3, transport = $4, external_id = $5, last_error = $6, lease_until = NULL WHERE id = $1`,
          [
            msg.id,
            r.outcome === 'sent' ? 'sent' : r.status,
            now.toISOString(),
            r.transport,
            r.outcome === 'sent' ? (r.externalId ?? null) : null,
            r.outcome === 'sent' ? null : r.reason,
          ],
        );
        // The acknowledgement meets its clock once it reached the customer, or was left for webcare to post.
        if (msg.kind === 'acknowledgement' && (sent || r.transport === 'x-not-posted'))
          await markAcknowledged(
            m,
            [msg.complaint_id],
            sent ? `acknowledgement sent (${r.transport})` : 'queued for webcare to post on X',
            now,
          );
        return;
      }
      const final = result.outcome === 'refused' || msg.attempts >= MAX_ATTEMPTS;
      this.logger.warn(
        { complaintId: msg.complaint_id, kind: msg.kind, reason: result.reason, final },
        'customer message not sent',
      );
      const retryAt =
        result.outcome === 'retry' && result.retryAt
          ? result.retryAt
          : new Date(now.getTime() + backoffDelay(msg.attempts + 1, { base: 1_000, cap: 15 * 60_000 }));
      await m.query(
        `UPDATE customer_messages SET status = $2, due_at = $3, last_error = $4, lease_until = NULL WHERE id = $1`,
        [msg.id, final ? 'failed' : 'pending', retryAt.toISOString(), result.reason],
      );
    });
  }
}

/** The acknowledgement reached the customer: the complaint is acknowledged, its clock met (a CaseEvent by the system). */
export async function markAcknowledged(
  manager: EntityManager,
  complaintIds: string[],
  how: string,
  now: Date,
): Promise<void> {
  if (complaintIds.length === 0) return;
  const rows = (await manager.query(
    `SELECT id, correlation_id FROM complaints WHERE id = ANY($1) AND acknowledged_at IS NULL`,
    [complaintIds],
  )) as Array<{ id: string; correlation_id: string | null }>;
  const ids = rows.map((r) => r.id);
  const acks = rows.map((c) => {
    const event: CaseEvent = {
      caseEventId: `ack:${c.id}`,
      complaintId: c.id,
      action: 'acknowledged',
      actor: { type: 'system', id: 'sla' },
      at: now.toISOString(),
      message: how,
    };
    return { event, correlationId: c.correlation_id ?? c.id };
  });
  await manager.query(
    `UPDATE complaints SET acknowledged_at = COALESCE(acknowledged_at, $2),
            status = CASE WHEN status IN ('received', 'classified', 'queued', 'assigned') THEN 'acknowledged' ELSE status END, updated_at = $2
      WHERE id = ANY($1)`,
    [ids, now.toISOString()],
  );
  await manager.query(
    `UPDATE sla_clocks SET status = 'met', met_at = $2, updated_at = now() WHERE complaint_id = ANY($1) AND clock = 'acknowledgement' AND status IN ('running', 'paused')`,
    [ids, now.toISOString()],
  );
  await manager.query(
    `UPDATE sla_escalations SET status = 'cancelled' WHERE complaint_id = ANY($1) AND clock = 'acknowledgement' AND status = 'pending'`,
    [ids],
  );
  await appendToOutbox(
    manager,
    acks.map(({ event, correlationId }) =>
      encodeEvent(CaseEventEvent, event, { eventId: event.caseEventId, correlationId, occurredAt: event.at }),
    ),
  );
  await appendHistory(
    manager,
    acks.map(({ event, correlationId }) => ({
      complaintId: event.complaintId,
      at: now,
      kind: 'case-acknowledged',
      actor: 'sla',
      reason: how,
      data: event,
      eventId: event.caseEventId,
      correlationId,
    })),
  );
}
