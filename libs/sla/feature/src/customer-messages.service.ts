import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, returnedRows } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import {
  acknowledgementMessage,
  csatRequestMessage,
  incidentNoticeMessage,
  type CustomerMessage,
} from '@klaxon/sla/domain';
import { MessageSender } from './message-sender';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

type ComplaintRow = {
  id: string;
  channel: string;
  status: string;
  language: string | null;
  subject: string | null;
  customer: { name?: string; email?: string; handle?: string } | null;
  channel_meta: {
    messageId?: string;
    email?: { messageId?: string; references?: string[] };
    social?: { postId?: string; authorId?: string };
  } | null;
  correlation_id: string | null;
};
/**
 * Messages to customers: the automatic acknowledgement, handlers' replies, the CSAT request and the
 * notice to the customers who complained about an incident (a spike).
 * They are queued in `customer_messages` in the transaction that decides them, and sent by the
 * scheduler (MessageSender): e-mail to customers with an address (threaded on their Message-ID), a
 * public reply on X under the customer's post, `manual` when there is no way to reach the customer.
 * A sent acknowledgement meets the acknowledgement clock (a CaseEvent by the system).
 */
@Injectable()
export class CustomerMessagesService implements OnModuleDestroy {
  private readonly sender: MessageSender;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) logger: Logger,
  ) {
    this.sender = new MessageSender(dataSource, options, clock, logger);
  }

  onModuleDestroy(): void {
    this.sender.close();
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
        customerName: c.customer?.name,
        ownerName: o.ownerName,
        firstResponseBy: o.firstResponseBy ?? new Date(o.at.getTime() + 3 * 86_400_000),
        timeZone: this.options.calendar.timeZone,
      });
      return [{ c, kind: 'acknowledgement', dedupeKey: 'first', message, dueAt: now }];
    });
    await this.insert(manager, queued);
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
          route: route === 'email' ? 'email' : route === 'x' ? 'webcare' : 'manual',
        };
      });
  }

  /** One pass: sends what is due, exactly once (see MessageSender); returns how many messages it handled. */
  sendDue(limit = 50): Promise<number> {
    return this.sender.sendDue(limit);
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
      const email = c.channel_meta?.email;
      const original = email?.messageId ?? c.channel_meta?.messageId ?? null;
      return {
        complaint_id: c.id,
        kind,
        dedupe_key: dedupeKey,
        channel: route === 'x' ? 'x' : 'email',
        language: message.language,
        recipient: route === 'x' ? (c.channel_meta?.social?.authorId ?? null) : (c.customer?.email ?? null),
        subject: message.subject,
        body: message.text,
        in_reply_to: route === 'x' ? (c.channel_meta?.social?.postId ?? null) : original,
        references: route === 'x' ? [] : [...(email?.references ?? []), ...(original ? [original] : [])],
        mode: route === 'x' ? 'public' : null,
        author: 'sla',
        due_at: dueAt.toISOString(),
        status: route === 'manual' ? 'manual' : 'pending',
        last_error: route === 'manual' ? 'no e-mail address or X post to answer' : null,
      };
    });
    const inserted = returnedRows<{ complaint_id: string }>(
      await manager.query(
        `INSERT INTO customer_messages (complaint_id, kind, dedupe_key, channel, language, recipient, subject, body, in_reply_to, "references", mode, author, due_at, status, last_error)
         SELECT complaint_id, kind, dedupe_key, channel, language, recipient, subject, body, in_reply_to, COALESCE("references", '{}'), mode, author, due_at, status, last_error
           FROM jsonb_to_recordset($1::jsonb) AS m(complaint_id text, kind text, dedupe_key text, channel text, language text, recipient text, subject text, body text,
                in_reply_to text, "references" text[], mode text, author text, due_at timestamptz, status text, last_error text)
         ON CONFLICT DO NOTHING RETURNING complaint_id`,
        [JSON.stringify(rows)],
      ),
    );
    return new Set(inserted.map((r) => r.complaint_id));
  }
}

/** E-mail to customers with an address, a reply on X under the post, `manual` when there is no way to reach them. */
function routeOf(c: ComplaintRow): 'email' | 'x' | 'manual' {
  // On X always: without a post to answer the sender records why it could not (not posted, or failed).
  if (c.channel === 'social') return 'x';
  return c.customer?.email ? 'email' : 'manual';
}
