import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CaseEventEvent,
  UNCATEGORISED,
  encodeEvent,
  type Channel,
  type ComplaintLabel,
  type CustomerIdentity,
  type Priority,
} from '@klaxon/contracts';
import { DATA_SOURCE, appendHistory, appendToOutbox } from '@klaxon/platform/persistence';
import { ApiError, CLOCK, type Clock } from '@klaxon/platform/runtime';
import { newId } from './customer-linker';
import { NewComplaintRouting } from './new-complaint-routing';
import type { RouteResult } from './routing-work';
import { iso } from './routing.rows';

export interface Promotion {
  label: Exclude<ComplaintLabel, 'none'>;
  category?: string;
  priority?: Priority;
}

export interface SignalView {
  id: string;
  channel: string;
  receivedAt: string;
  subject: string | null;
  text: string;
  customer: CustomerIdentity;
  language: string | null;
  category: string | null;
  complaintProbability: number | null;
  why: string[];
  dismissedAt: string | null;
  /** What the channel adds, e.g. social: { handle, followers, url }. */
  channelMeta: Record<string, unknown> | null;
}

type Row = {
  id: string;
  channel: Channel;
  status: string;
  received_at: Date | string;
  subject: string | null;
  text: string;
  customer: CustomerIdentity | null;
  language: string | null;
  category: string | null;
  priority: Priority | null;
  complaint_probability: number | null;
  why: string[] | null;
  reputational_risk: boolean | null;
  unit: string | null;
  channel_meta: { social?: { followers?: number }; followers?: number } | null;
  correlation_id: string | null;
  dismissed_at: Date | string | null;
};

const toView = (r: Row): SignalView => ({
  id: r.id,
  channel: r.channel,
  receivedAt: iso(r.received_at),
  subject: r.subject,
  text: r.text,
  customer: r.customer ?? {},
  language: r.language,
  category: r.category,
  complaintProbability: r.complaint_probability === null ? null : Number(r.complaint_probability),
  why: r.why ?? [],
  dismissedAt: r.dismissed_at ? iso(r.dismissed_at) : null,
  channelMeta: r.channel_meta,
});

/**
 * What the classifier called "not a complaint" stays visible and searchable as a signal. A handler
 * promotes one (it becomes a complaint, is routed, and the correction goes out as a training example)
 * or dismisses it.
 */
@Injectable()
export class SignalsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly routing: NewComplaintRouting,
  ) {}

  async list(q: {
    q?: string;
    channel?: string;
    dismissed: boolean;
    page: number;
    pageSize: number;
  }): Promise<{ items: SignalView[]; total: number; page: number; pageSize: number }> {
    const where = [`status = 'signal'`, q.dismissed ? 'dismissed_at IS NOT NULL' : 'dismissed_at IS NULL'];
    const params: unknown[] = [];
    if (q.q)
      where.push(
        `(text ILIKE $${params.push(`%${q.q.replace(/[\\%_]/g, '\\$&')}%`)} OR subject ILIKE $${params.length})`,
      );
    if (q.channel) where.push(`channel = $${params.push(q.channel)}`);
    const clause = where.join(' AND ');
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM complaints WHERE ${clause}`,
      params,
    )) as Array<{ total: number }>;
    const rows = (await this.dataSource.query(
      `SELECT * FROM complaints WHERE ${clause} ORDER BY received_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    )) as Row[];
    return { items: rows.map(toView), total: Number(total), page: q.page, pageSize: q.pageSize };
  }

  async promote(
    id: string,
    promotion: Promotion,
    actor: string,
  ): Promise<{ id: string; status: string } & RouteResult> {
    return this.dataSource.transaction(async (manager) => {
      const result = await this.promoteInTransaction(
        manager,
        id,
        promotion,
        actor,
        newId('prm'),
        this.clock.now(),
        true,
      );
      const [row] = (await manager.query('SELECT status FROM complaints WHERE id = $1', [id])) as Array<{
        status: string;
      }>;
      return { id, status: row.status, ...result };
    });
  }

  /**
   * Turns the signal into a complaint and routes it, in the caller's transaction. With `publishCorrection`
   * the correction goes out as a case event (the classifier's training example); a correction that
   * arrived as a case event is not sent again.
   */
  async promoteInTransaction(
    manager: EntityManager,
    id: string,
    promotion: Promotion,
    actor: string,
    causeId: string,
    now: Date,
    publishCorrection: boolean,
  ): Promise<RouteResult> {
    const [row] = (await manager.query('SELECT * FROM complaints WHERE id = $1 FOR UPDATE', [id])) as Row[];
    if (!row) throw ApiError.notFound('signal', id);
    if (row.status !== 'signal')
      throw ApiError.conflict('not-a-signal', `${id} is ${row.status}, not a signal`);
    if (row.dismissed_at) throw ApiError.conflict('signal-dismissed', `${id} was dismissed`);
    const category = promotion.category ?? row.category ?? UNCATEGORISED;
    const priority = promotion.priority ?? row.priority ?? 'normal';
    await manager.query(
      `UPDATE complaints SET complaint_label = $2, category = $3, priority = $4, status = 'classified', updated_at = now() WHERE id = $1`,
      [id, promotion.label, category, priority],
    );
    await appendHistory(manager, [
      {
        complaintId: id,
        at: now,
        kind: 'promoted',
        actor,
        reason: `promoted from signal to ${promotion.label} complaint (${category}, ${priority})`,
        data: promotion,
        eventId: causeId,
        correlationId: row.correlation_id,
      },
    ]);
    if (publishCorrection) {
      const correction = {
        complaint: promotion.label,
        ...(promotion.category ? { category: promotion.category } : {}),
        ...(promotion.priority ? { priority: promotion.priority } : {}),
      };
      const [type, ...rest] = actor.split(':');
      await appendToOutbox(manager, [
        encodeEvent(
          CaseEventEvent,
          {
            caseEventId: causeId,
            complaintId: id,
            action: 'corrected',
            actor: {
              type: type === 'user' || type === 'system' ? type : 'user',
              id: rest.join(':') || actor,
            },
            at: now.toISOString(),
            correction,
          },
          { eventId: `${id}:corrected:${causeId}`, correlationId: row.correlation_id ?? id },
        ),
      ]);
    }
    const reach = row.channel_meta?.social?.followers ?? row.channel_meta?.followers;
    return this.routing.routeNew(
      manager,
      [
        {
          complaintId: id,
          channel: row.channel,
          category,
          language: row.language ?? 'und',
          priority,
          receivedAt: iso(row.received_at),
          reputationalRisk: Boolean(row.reputational_risk),
          ...(typeof reach === 'number' ? { reach } : {}),
          customer: row.customer ?? {},
          ...(row.unit ? { unit: row.unit } : {}),
          causeId,
          correlationId: row.correlation_id ?? id,
        },
      ],
      now,
      actor,
    );
  }

  async dismiss(id: string, reason: string | undefined, actor: string): Promise<SignalView> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query('SELECT * FROM complaints WHERE id = $1 FOR UPDATE', [id])) as Row[];
      if (!row) throw ApiError.notFound('signal', id);
      if (row.status !== 'signal')
        throw ApiError.conflict('not-a-signal', `${id} is ${row.status}, not a signal`);
      if (row.dismissed_at) return toView(row);
      const now = this.clock.now();
      await manager.query('UPDATE complaints SET dismissed_at = $2, updated_at = now() WHERE id = $1', [
        id,
        now.toISOString(),
      ]);
      await appendHistory(manager, [
        {
          complaintId: id,
          at: now,
          kind: 'dismissed',
          actor,
          reason: reason ? `dismissed: ${reason}` : 'dismissed as not a complaint',
          eventId: newId('dsm'),
          correlationId: row.correlation_id,
        },
      ]);
      return toView({ ...row, dismissed_at: now });
    });
  }
}
