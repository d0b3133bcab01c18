import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import type { DataSource, EntityManager } from 'typeorm';
import { CaseEventEvent, encodeEvent, type CaseEvent } from '@klaxon/contracts';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, appendToOutbox, returnedRows } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import {
  acknowledgementMessage,
  csatRequestMessage,
  incidentNoticeMessage,
  referenceFor,
  type CustomerMessage,
} from '@klaxon/sla/domain';
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
type MessageRow = {
  id: string;
  complaint_id: string;
  kind: string;
  channel: string;
  recipient: string | null;
  subject: string;
  body: string;
  in_reply_to: string | null;
  attempts: number;
};

const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 5;

/**
 * Messages to customers: the automatic acknowledgement, handlers' replies, the CSAT request and the
 * notice to the customers who complained about an incident (a spike).
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
    this.transport = smtp
      ? nodemailer.createTransport({
          host: smtp.host,
          port: smtp.port,
          secure: smtp.secure ?? false,
          ...(smtp.auth ? { auth: smtp.auth } : {}),
          ignoreTLS: !smtp.secure && !smtp.auth,
        })
      : null;
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }

  /** Queues the acknowledgements of several distinct complaints in a constant number of queries. */
  async queueAcknowledgements(
    manager: EntityManager,
    requests: Array<{ complaintId: string; ownerName?: string; firstResponseBy: Date | null; at: Date }>,
  ): Promise<void> {
    if (requests.length === 0) return;
    const complaints = await this.complaints(
      manager,
      requests.map((r) => r.complaintId),
    );
    const now = this.clock.now();
    const queued = requests.flatMap((o) => {
      const c = complaints.get(o.complaintId);
      if (!c || c.status === 'erased' || c.status === 'signal') return [];
      const message = acknowledgementMessage({
        complaintId: o.complaintId,
        language: c.language,
        // Anyone can type any name and address into the web form or the API: the acknowledgement does
        // not echo that free text to an address nobody verified (only mail and X came from the person).
        customerName: c.channel === 'email' || c.channel === 'social' ? c.customer?.name : null,
        ownerName: o.ownerName,
        firstResponseBy: o.firstResponseBy ?? new Date(o.at.getTime() + 3 * 86_400_000),
        timeZone: this.options.calendar.timeZone,
      });
      return [{ c, kind: 'acknowledgement', dedupeKey: 'first', message, dueAt: now }];
    });
    await this.insert(manager, queued);
    // For X the record is the hand-over: webcare posts the template under the public post.
    await this.markAcknowledged(
      manager,
      queued.filter((q) => routeOf(q.c) === 'for-webcare').map((q) => q.c),
      'queued for webcare to post on X',
      now,
    );
  }

  async queueCsatRequest(
    manager: EntityManager,
    complaintId: string,
    o: { dedupeKey: string; dueAt: Date },
  ): Promise<void> {
    const c = await this.complaint(manager, complaintId);
    if (!c || c.status === 'erased') return;
    await this.insert(manager, [
      {
        c,
        kind: 'csat-request',
        dedupeKey: o.dedupeKey,
        message: csatRequestMessage({ complaintId, language: c.language, customerName: c.customer?.name }),
        dueAt: o.dueAt,
      },
    ]);
  }

  /**
   * Queues the notice about an incident (a spike) to the customers of these complaints, once per
   * complaint and item (`dedupeKey`): email, a record for webcare on X, or `manual`. Returns the
   * complaints newly queued, by way they go out.
   */
  async queueIncidentNotices(
    manager: EntityManager,
    complaintIds: string[],
    o: { dedupeKey: string; note?: string },
  ): Promise<Array<{ complaintId: string; route: 'email' | 'webcare' | 'manual' }>> {
    const complaints = await this.complaints(manager, complaintIds);
    const now = this.clock.now();
    const queued = [...complaints.values()]
      .filter((c) => c.status !== 'erased' && c.status !== 'signal')
      .map((c) => ({
        c,
        kind: 'incident-notice',
        dedupeKey: o.dedupeKey,
        message: incidentNoticeMessage({
          complaintId: c.id,
          language: c.language,
          customerName: c.customer?.name,
          note: o.note,
        }),
        dueAt: now,
      }));
    const inserted = await this.insert(manager, queued);
    return queued
      .filter((q) => inserted.has(q.c.id))
      .map((q) => {
        const route = routeOf(q.c);
        return {
          complaintId: q.c.id,
          route: route === 'pending' ? 'email' : route === 'for-webcare' ? 'webcare' : 'manual',
        };
      });
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
    if (!this.transport && claimed.length > 0) {
      // Nothing can send them: all of them to be sent by hand, in one statement (not one failure each).
      await this.dataSource.query(
        `UPDATE customer_messages SET status = 'manual', last_error = 'no SMTP configured', lease_until = NULL WHERE id = ANY($1::bigint[])`,
        [claimed.map((m) => m.id)],
      );
      this.logger.warn(
        { messages: claimed.length },
        'customer messages not sent: no SMTP configured; left for manual sending',
      );
      return claimed.length;
    }
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
          await m.query(
            `UPDATE customer_messages SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1`,
            [msg.id, this.clock.now().toISOString()],
          );
          if (msg.kind === 'acknowledgement') {
            const c = await this.complaint(m, msg.complaint_id);
            if (c)
              await this.markAcknowledged(
                m,
                [c],
                `acknowledgement emailed to the customer`,
                this.clock.now(),
              );
          }
        });
      } catch (err) {
        const final = msg.attempts >= MAX_ATTEMPTS || !this.transport;
        this.logger.warn(
          { complaintId: msg.complaint_id, kind: msg.kind, err, final },
          'customer message not sent',
        );
        await this.dataSource.query(
          `UPDATE customer_messages SET status = $2, due_at = $3, last_error = $4, lease_until = NULL WHERE id = $1`,
          [
            msg.id,
            final ? (this.transport ? 'failed' : 'manual') : 'pending',
            new Date(this.clock.now().getTime() + 2 ** msg.attempts * 1_000).toISOString(),
            String((err as Error).message ?? err),
          ],
        );
      }
    }
    return claimed.length;
  }

  private async complaint(manager: EntityManager, id: string): Promise<ComplaintRow | undefined> {
    return (await this.complaints(manager, [id])).get(id);
  }

  private async complaints(manager: EntityManager, ids: string[]): Promise<Map<string, ComplaintRow>> {
    const rows = (await manager.query(
      `SELECT id, channel, status, language, subject, customer, channel_meta, correlation_id FROM complaints WHERE id = ANY($1)`,
      [ids],
    )) as ComplaintRow[];
    return new Map(rows.map((r) => [r.id, r]));
  }

  private async insert(
    manager: EntityManager,
    messages: Array<{
      c: ComplaintRow;
      kind: string;
      dedupeKey: string;
      message: CustomerMessage;
      dueAt: Date;
    }>,
  ): Promise<Set<string>> {
    if (messages.length === 0) return new Set();
    const rows = messages.map(({ c, kind, dedupeKey, message, dueAt }) => {
      const route = routeOf(c);
      const email = c.customer?.email;
      return {
        complaint_id: c.id,
        kind,
        dedupe_key: dedupeKey,
        channel: route === 'for-webcare' ? 'webcare' : 'email',
        language: message.language,
        recipient: route === 'for-webcare' ? (c.customer?.handle ?? null) : (email ?? null),
        subject: message.subject,
        body: message.text,
        in_reply_to: c.channel_meta?.email?.messageId ?? c.channel_meta?.messageId ?? null,
        due_at: dueAt.toISOString(),
        status: route,
      };
    });
    const inserted = returnedRows<{ complaint_id: string }>(
      await manager.query(
        `INSERT INTO customer_messages (complaint_id, kind, dedupe_key, channel, language, recipient, subject, body, in_reply_to, due_at, status)
         SELECT complaint_id, kind, dedupe_key, channel, language, recipient, subject, body, in_reply_to, due_at, status
           FROM jsonb_to_recordset($1::jsonb) AS m(complaint_id text, kind text, dedupe_key text, channel text, language text, recipient text, subject text, body text,
                in_reply_to text, due_at timestamptz, status text)
         ON CONFLICT DO NOTHING RETURNING complaint_id`,
        [JSON.stringify(rows)],
      ),
    );
    return new Set(inserted.map((r) => r.complaint_id));
  }

  private async markAcknowledged(
    manager: EntityManager,
    complaints: ComplaintRow[],
    how: string,
    now: Date,
  ): Promise<void> {
    if (complaints.length === 0) return;
    const ids = complaints.map((c) => c.id);
    const acks = complaints.map((c) => {
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
        encodeEvent(CaseEventEvent, event, {
          eventId: event.caseEventId,
          correlationId,
          occurredAt: event.at,
        }),
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
}

/** Email to customers with an address, a record for webcare on X, `manual` when there is no way to reach them. */
function routeOf(c: ComplaintRow): 'pending' | 'for-webcare' | 'manual' {
  return c.channel === 'social' ? 'for-webcare' : c.customer?.email ? 'pending' : 'manual';
}
