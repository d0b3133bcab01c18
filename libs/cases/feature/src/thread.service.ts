import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DATA_SOURCE, appendHistory } from '@klaxon/platform/persistence';
import { ApiError, CLOCK, type Clock } from '@klaxon/platform/runtime';
import { stateOf, type SentMail, type ThreadMessage } from './thread.view';

type ComplaintRow = {
  id: string;
  channel: string;
  subject: string | null;
  text: string;
  customer: { name?: string; email?: string; handle?: string } | null;
  received_at: Date;
  correlation_id: string | null;
};
type HistoryRow = {
  id: string;
  at: Date;
  kind: string;
  actor: string;
  data: {
    text?: string;
    subject?: string | null;
    customer?: { name?: string; email?: string; handle?: string };
  } | null;
};
type MessageRow = {
  id: string;
  complaint_id: string;
  kind: string;
  channel: string;
  status: string;
  recipient: string | null;
  subject: string;
  body: string;
  author: string | null;
  mode: string | null;
  transport: string | null;
  message_id: string | null;
  external_id: string | null;
  last_error: string | null;
  sent_at: Date | null;
  created_at: Date;
};

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * One conversation per complaint: the complaint itself, the customer's later messages, what we sent
 * (with its delivery state) and internal notes, oldest first (newest at the bottom).
 */
@Injectable()
export class ThreadService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async thread(complaintId: string): Promise<ThreadMessage[]> {
    const [c] = (await this.dataSource.query(
      `SELECT id, channel, subject, text, customer, received_at, correlation_id FROM complaints WHERE id = $1`,
      [complaintId],
    )) as ComplaintRow[];
    if (!c) throw ApiError.notFound('complaint', complaintId);
    const [history, messages] = await Promise.all([
      this.dataSource.query(
        `SELECT id, at, kind, actor, data FROM complaint_history WHERE complaint_id = $1 AND kind IN ('customer-message', 'note') ORDER BY at, id`,
        [complaintId],
      ) as Promise<HistoryRow[]>,
      this.dataSource.query(
        `SELECT id, complaint_id, kind, channel, status, recipient, subject, body, author, mode, transport, message_id, external_id, last_error, sent_at, created_at
           FROM customer_messages WHERE complaint_id = $1 AND status <> 'cancelled' ORDER BY created_at, id`,
        [complaintId],
      ) as Promise<MessageRow[]>,
    ]);
    const who = (x: ComplaintRow['customer']) =>
      x?.name ?? x?.email ?? (x?.handle ? `@${x.handle}` : 'customer');
    const items: ThreadMessage[] = [
      {
        id: `complaint:${c.id}`,
        direction: 'inbound',
        kind: 'complaint',
        channel: c.channel,
        author: who(c.customer),
        at: iso(c.received_at),
        subject: c.subject,
        text: c.text,
      },
      ...history.map((h): ThreadMessage =>
        h.kind === 'note'
          ? {
              id: `note:${h.id}`,
              direction: 'internal',
              kind: 'note',
              channel: 'internal',
              author: h.actor,
              at: iso(h.at),
              subject: null,
              text: h.data?.text ?? '',
            }
          : {
              id: `in:${h.id}`,
              direction: 'inbound',
              kind: 'customer-message',
              channel: h.actor.replace(/^customer:/, ''),
              author: who(h.data?.customer ?? c.customer),
              at: iso(h.at),
              subject: h.data?.subject ?? null,
              text: h.data?.text ?? '',
            },
      ),
      ...messages.map((m) => outbound(m)),
    ];
    return items.sort((a, b) => a.at.localeCompare(b.at));
  }

  /** An internal note: staff only, in the complaint's history (and so in its thread). */
  async addNote(complaintId: string, text: string, author: string): Promise<ThreadMessage> {
    return this.dataSource.transaction(async (m) => {
      const [c] = (await m.query(`SELECT id, correlation_id FROM complaints WHERE id = $1`, [
        complaintId,
      ])) as Array<{
        id: string;
        correlation_id: string | null;
      }>;
      if (!c) throw ApiError.notFound('complaint', complaintId);
      const at = this.clock.now();
      const eventId = `note:${randomUUID()}`;
      await appendHistory(m, [
        {
          complaintId,
          at,
          kind: 'note',
          actor: author,
          reason: 'internal note (staff only)',
          data: { text },
          eventId,
          correlationId: c.correlation_id ?? complaintId,
        },
      ]);
      return {
        id: eventId,
        direction: 'internal',
        kind: 'note',
        channel: 'internal',
        author,
        at: at.toISOString(),
        subject: null,
        text,
      };
    });
  }

  /** What the demo "sent": mail kept by the mail catcher and X replies not posted (no credentials), newest first. */
  async sentMail(teamIds: string[] | null, limit = 100): Promise<SentMail['items']> {
    const rows = (await this.dataSource.query(
      `SELECT m.id, m.complaint_id, m.kind, m.channel, m.status, m.recipient, m.subject, m.body, m.transport, m.message_id, m.last_error, m.sent_at
         FROM customer_messages m JOIN complaints c ON c.id = m.complaint_id
        WHERE m.transport IN ('mail-catcher', 'x-not-posted') ${teamIds === null ? '' : 'AND c.team_id = ANY($2)'}
        ORDER BY m.sent_at DESC NULLS LAST, m.id DESC LIMIT $1`,
      teamIds === null ? [limit] : [limit, teamIds],
    )) as Array<MessageRow>;
    return rows.map((r) => ({
      id: r.id,
      complaintId: r.complaint_id,
      kind: r.kind,
      channel: r.channel,
      transport: r.transport,
      recipient: r.recipient,
      subject: r.subject,
      text: r.body,
      messageId: r.message_id,
      state: stateOf(r.status, r.transport),
      reason: r.last_error,
      sentAt: r.sent_at ? iso(r.sent_at) : null,
    }));
  }
}

function outbound(m: MessageRow): ThreadMessage {
  return {
    id: `out:${m.id}`,
    direction: 'outbound',
    kind: (['acknowledgement', 'reply', 'csat-request', 'incident-notice'].includes(m.kind)
      ? m.kind
      : 'reply') as ThreadMessage['kind'],
    channel: m.channel,
    author: m.author ?? 'system',
    at: iso(m.created_at),
    subject: m.channel === 'x' ? null : m.subject,
    text: m.body,
    delivery: {
      state: stateOf(m.status, m.transport),
      reason: m.last_error,
      transport: m.transport,
      messageId: m.message_id,
      externalId: m.external_id,
      mode: m.mode,
      recipient: m.recipient,
      sentAt: m.sent_at ? iso(m.sent_at) : null,
    },
  };
}
