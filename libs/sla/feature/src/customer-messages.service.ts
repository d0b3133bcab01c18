import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DataSource, EntityManager } from 'typeorm';
import { CaseEventEvent, encodeEvent, type CaseEvent } from '@klaxon/contracts';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, appendToOutbox, returnedRows } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { acknowledgementMessage, csatRequestMessage, referenceFor, type CustomerMessage } from '@klaxon/sla/domain';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

type ComplaintRow = {
  id: string;
  channel: string;
  status: string;
  language: string | null;
  subject: string | null;
  customer: { name?: string; email?: string; handle?: string } | null;
  channel_meta: { messageId?: string; email?: { messageId?: string } } | null;
  correlation_id: string | null;
};
type MessageRow = { id: string; complaint_id: string; kind: string; channel: string; recipient: string | null; subject: string; body: string; in_reply_to: string | null; attempts: number };

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 5;

/**
 * Messages to customers: the automatic acknowledgement, handlers' replies and the CSAT request.
 * They are queued in `customer_messages` in the transaction that decides them, and sent by the
 * scheduler: email over SMTP to customers with an address (threaded on their Message-ID), a record
 * for the webcare team to post on X, `manual` when there is no way to reach the customer. A sent
 * acknowledgement meets the acknowledgement clock (a CaseEvent by the system).
 */
@Injectable()
export class CustomerMessagesService implements OnModuleDestroy {
  private readonly transport: Transporter | null;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    const smtp = options.smtp;
    this.transport = smtp ? nodemailer.createTransport({ host: smtp.host, port: smtp.port, secure: smtp.secure ?? false, ...(smtp.auth ? { auth: smtp.auth } : {}), ignoreTLS: !smtp.secure && !smtp.auth }) : null;
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }

  async queueAcknowledgement(manager: EntityManager, complaintId: string, o: { ownerName?: string; firstResponseBy: Date | null; at: Date }): Promise<void> {
    const c = await this.complaint(manager, complaintId);
    if (!c || c.status === 'erased' || c.status === 'signal') return;
    const message = acknowledgementMessage({
      complaintId,
      language: c.language,
      customerName: c.customer?.name,
      ownerName: o.ownerName,
      firstResponseBy: o.firstResponseBy ?? new Date(o.at.getTime() + 3 * 86_400_000),
      timeZone: this.options.calendar.timeZone,
    });
    const route = await this.insert(manager, c, 'acknowledgement', 'first', message, this.clock.now());
    // For X the record is the hand-over: webcare posts the template under the public post.
    if (route === 'for-webcare') await this.markAcknowledged(manager, c, 'queued for webcare to post on X', this.clock.now());
  }

  async queueCsatRequest(manager: EntityManager, complaintId: string, o: { dedupeKey: string; dueAt: Date }): Promise<void> {
    const c = await this.complaint(manager, complaintId);
    if (!c || c.status === 'erased') return;
    await this.insert(manager, c, 'csat-request', o.dedupeKey, csatRequestMessage({ complaintId, language: c.language, customerName: c.customer?.name }), o.dueAt);
  }

  /** One pass: sends what is due; returns how many messages it handled. */
  async sendDue(limit = 50): Promise<number> {
    const now = this.clock.now();
    const claimed = await this.dataSource.transaction(async (m) =>
      returnedRows<MessageRow>(
        await m.query(
          `WITH due AS (SELECT id FROM customer_messages WHERE channel = 'email' AND status IN ('pending', 'sending') AND due_at <= $1
                         ORDER BY due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE customer_messages c SET status = 'sending', lease_until = $3, due_at = $3, attempts = c.attempts + 1 FROM due WHERE c.id = due.id
           RETURNING c.id, c.complaint_id, c.kind, c.channel, c.recipient, c.subject, c.body, c.in_reply_to, c.attempts`,
          [now.toISOString(), limit, new Date(now.getTime() + LEASE_MS).toISOString()],
        ),
      ),
    );
    for (const msg of claimed) {
      try {
        if (!this.transport) throw new Error('no SMTP configured');
        await this.transport.sendMail({
          from: this.options.smtp!.from,
          to: msg.recipient!,
          subject: msg.subject,
          text: msg.body,
          headers: { 'X-Klaxon-Reference': referenceFor(msg.complaint_id) },
          ...(msg.in_reply_to ? { inReplyTo: msg.in_reply_to, references: [msg.in_reply_to] } : {}),
        });
        await this.dataSource.transaction(async (m) => {
          await m.query(`UPDATE customer_messages SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1`, [msg.id, this.clock.now().toISOString()]);
          if (msg.kind === 'acknowledgement') {
            const c = await this.complaint(m, msg.complaint_id);
            if (c) await this.markAcknowledged(m, c, `acknowledgement emailed to the customer`, this.clock.now());
          }
        });
      } catch (err) {
        const final = msg.attempts >= MAX_ATTEMPTS || !this.transport;
        this.logger.warn({ complaintId: msg.complaint_id, kind: msg.kind, err, final }, 'customer message not sent');
        await this.dataSource.query(
          `UPDATE customer_messages SET status = $2, due_at = $3, last_error = $4, lease_until = NULL WHERE id = $1`,
          [msg.id, final ? (this.transport ? 'failed' : 'manual') : 'pending', new Date(this.clock.now().getTime() + 2 ** msg.attempts * 1_000).toISOString(), String((err as Error).message ?? err)],
        );
      }
    }
    return claimed.length;
  }

  private async complaint(manager: EntityManager, id: string): Promise<ComplaintRow | undefined> {
    const [row] = (await manager.query(`SELECT id, channel, status, language, subject, customer, channel_meta, correlation_id FROM complaints WHERE id = $1`, [id])) as ComplaintRow[];
    return row;
  }

  private async insert(manager: EntityManager, c: ComplaintRow, kind: string, dedupeKey: string, message: CustomerMessage, dueAt: Date): Promise<'pending' | 'for-webcare' | 'manual'> {
    const email = c.customer?.email;
    const route = c.channel === 'social' ? 'for-webcare' : email ? 'pending' : 'manual';
    const inReplyTo = c.channel_meta?.email?.messageId ?? c.channel_meta?.messageId ?? null;
    await manager.query(
      `INSERT INTO customer_messages (complaint_id, kind, dedupe_key, channel, language, recipient, subject, body, in_reply_to, due_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING`,
      [c.id, kind, dedupeKey, route === 'for-webcare' ? 'webcare' : 'email', message.language, route === 'for-webcare' ? (c.customer?.handle ?? null) : (email ?? null), message.subject, message.text, inReplyTo, dueAt.toISOString(), route],
    );
    return route;
  }

  private async markAcknowledged(manager: EntityManager, c: ComplaintRow, how: string, now: Date): Promise<void> {
    const event: CaseEvent = { caseEventId: `ack:${c.id}`, complaintId: c.id, action: 'acknowledged', actor: { type: 'system', id: 'sla' }, at: now.toISOString(), message: how };
    const correlationId = c.correlation_id ?? c.id;
    await manager.query(
      `UPDATE complaints SET acknowledged_at = COALESCE(acknowledged_at, $2),
              status = CASE WHEN status IN ('received', 'classified', 'queued', 'assigned') THEN 'acknowledged' ELSE status END, updated_at = $2
        WHERE id = $1`,
      [c.id, now.toISOString()],
    );
    await manager.query(`UPDATE sla_clocks SET status = 'met', met_at = $2, updated_at = now() WHERE complaint_id = $1 AND clock = 'acknowledgement' AND status IN ('running', 'paused')`, [
      c.id,
      now.toISOString(),
    ]);
    await manager.query(`UPDATE sla_escalations SET status = 'cancelled' WHERE complaint_id = $1 AND clock = 'acknowledgement' AND status = 'pending'`, [c.id]);
    await appendToOutbox(manager, [encodeEvent(CaseEventEvent, event, { eventId: event.caseEventId, correlationId, occurredAt: event.at })]);
    await appendHistory(manager, [{ complaintId: c.id, at: now, kind: 'case-acknowledged', actor: 'sla', reason: how, data: event, eventId: event.caseEventId, correlationId }]);
  }
}
