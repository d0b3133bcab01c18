import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { complaintReference } from '@klaxon/contracts';
import { forbidden, mayAccessTeam, type Principal } from '@klaxon/platform/auth';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, returnedRows } from '@klaxon/platform/persistence';
import { ApiError, CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { iso } from './routing.rows';
import type { Conclusion, ListRootCausesQuery } from './root-cause.dto';

type ItemRow = {
  id: string;
  kind: 'review' | 'spike';
  category: string;
  unit: string | null;
  status: string;
  opened_at: Date;
  window_start: Date;
  complaint_count: number;
  expected: number | null;
  reason: string;
  team_id: string | null;
  owner_id: string | null;
  owner_name: string | null;
  due_at: Date | null;
  overdue_at: Date | null;
  cause: string | null;
  measure: string | null;
  founded: boolean | null;
  closed_at: Date | null;
  closed_by: string | null;
  close_note: string | null;
  complaint_ids: string[] | null;
};

/** A review or spike as the API shows it. No personal data: the complaints are named by id and reference. */
export interface RootCauseItemView {
  id: string;
  kind: 'review' | 'spike';
  category: string;
  unit: string | null;
  /** review: `open` → `completed`; spike: `open` → `closed`. */
  status: string;
  openedAt: string;
  windowStart: string;
  /** Complaints that opened it. */
  complaintCount: number;
  /** Complaints linked now (those that opened it and those that came in later). */
  linkedCount: number;
  complaintIds: string[];
  expected: number | null;
  reason: string;
  teamId: string | null;
  owner: { id: string; name: string } | null;
  dueAt: string | null;
  overdue: boolean;
  overdueAt: string | null;
  conclusion: { cause: string; measure: string; founded: boolean } | null;
  closedAt: string | null;
  closedBy: string | null;
  closeNote: string | null;
}

export interface RootCauseItemDetail extends RootCauseItemView {
  complaints: Array<{
    id: string;
    reference: string;
    status: string;
    channel: string;
    receivedAt: string;
    teamId: string | null;
    founded: boolean | null;
    linkedAt: string;
    how: 'trigger' | 'later';
  }>;
  /** For a spike: the messages to the customers who complained, per way they go out (sla stage). */
  notices: { queued: number; sent: number; forWebcare: number; manual: number; failed: number };
}

export interface RootCauseCounts {
  reviewsOpened: number;
  reviewsOpen: number;
  reviewsOverdue: number;
  reviewsCompleted: number;
  reviewsCompletedOnTime: number;
  founded: number;
  /** Founded / completed reviews in the range; null without completed reviews. */
  foundedRate: number | null;
  spikesFlagged: number;
  spikesOpen: number;
}

const LEADS = ['team-lead', 'admin'];
const actorOf = (p: Principal | undefined): string =>
  p ? `${p.kind === 'user' ? 'user' : 'api-key'}:${p.id}` : 'unknown';

/**
 * Root-cause reviews and spikes as work: listed per team, shown with their complaints, concluded by
 * their owner (cause, measure, founded), spikes closed; a pass marks reviews past their due date.
 */
@Injectable()
export class RootCauseWork {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** `teams`: only items of these teams (null: every team). */
  async list(
    q: ListRootCausesQuery,
    teams: string[] | null,
  ): Promise<{ items: RootCauseItemView[]; total: number; page: number; pageSize: number }> {
    const now = this.clock.now();
    const where: string[] = [];
    const params: unknown[] = [];
    if (teams !== null) where.push(`r.team_id = ANY($${params.push(teams)})`);
    if (q.kind) where.push(`r.kind = $${params.push(q.kind)}`);
    if (q.category) where.push(`r.category = $${params.push(q.category)}`);
    if (q.status) where.push(`r.status = $${params.push(q.status)}`);
    if (q.ownerId) where.push(`r.owner_id = $${params.push(q.ownerId)}`);
    if (q.overdue)
      where.push(
        `${q.overdue === 'true' ? '' : 'NOT '}(r.status = 'open' AND r.due_at <= $${params.push(now.toISOString())})`,
      );
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM root_cause_items r ${clause}`,
      params,
    )) as Array<{ total: number }>;
    const rows = (await this.dataSource.query(
      `SELECT r.*, (SELECT array_agg(l.complaint_id ORDER BY l.linked_at, l.complaint_id) FROM root_cause_links l WHERE l.item_id = r.id) AS complaint_ids
         FROM root_cause_items r ${clause}
        ORDER BY (r.status = 'open') DESC, r.opened_at DESC, r.id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    )) as ItemRow[];
    return { items: rows.map((r) => view(r, now)), total: Number(total), page: q.page, pageSize: q.pageSize };
  }

  async get(id: string, principal: Principal | undefined): Promise<RootCauseItemDetail> {
    const row = await this.item(this.dataSource.manager, id);
    if (!mayAccessTeam(principal, row.team_id))
      throw forbidden('This review belongs to a team that is not yours');
    const links = (await this.dataSource.query(
      `SELECT c.id, c.status, c.channel, c.received_at, c.team_id, c.founded, l.linked_at, l.how
         FROM root_cause_links l JOIN complaints c ON c.id = l.complaint_id
        WHERE l.item_id = $1 ORDER BY c.received_at, c.id`,
      [id],
    )) as Array<{
      id: string;
      status: string;
      channel: string;
      received_at: Date;
      team_id: string | null;
      founded: boolean | null;
      linked_at: Date;
      how: 'trigger' | 'later';
    }>;
    const [notices] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status IN ('pending', 'sending'))::int AS queued, count(*) FILTER (WHERE status = 'sent')::int AS sent,
              count(*) FILTER (WHERE status = 'for-webcare' OR (status = 'manual' AND transport = 'x-not-posted'))::int AS for_webcare,
              count(*) FILTER (WHERE status = 'manual' AND transport IS DISTINCT FROM 'x-not-posted')::int AS manual,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM customer_messages WHERE kind = 'incident-notice' AND dedupe_key = $1`,
      [id],
    )) as Array<{ queued: number; sent: number; for_webcare: number; manual: number; failed: number }>;
    return {
      ...view({ ...row, complaint_ids: links.map((l) => l.id) }, this.clock.now()),
      complaints: links.map((l) => ({
        id: l.id,
        reference: complaintReference(l.id),
        status: l.status,
        channel: l.channel,
        receivedAt: iso(l.received_at),
        teamId: l.team_id,
        founded: l.founded,
        linkedAt: iso(l.linked_at),
        how: l.how,
      })),
      notices: {
        queued: notices.queued,
        sent: notices.sent,
        forWebcare: notices.for_webcare,
        manual: notices.manual,
        failed: notices.failed,
      },
    };
  }

  /** The owner (or a lead of the team) records what the review found; its complaints' threads say so. */
  async conclude(
    id: string,
    input: Conclusion,
    principal: Principal | undefined,
  ): Promise<RootCauseItemView> {
    return this.dataSource.transaction(async (m) => {
      const row = await this.item(m, id, true);
      this.mayWork(row, principal);
      if (row.kind !== 'review') throw ApiError.conflict('not-a-review', `${id} is a spike, not a review`);
      if (row.status !== 'open') throw ApiError.conflict('review-closed', `${id} is already ${row.status}`);
      const now = this.clock.now();
      const by = actorOf(principal);
      await m.query(
        `UPDATE root_cause_items SET status = 'completed', cause = $2, measure = $3, founded = $4, closed_at = $5, closed_by = $6 WHERE id = $1`,
        [id, input.cause, input.measure, input.founded, now.toISOString(), by],
      );
      await this.recordOnComplaints(
        m,
        id,
        now,
        'root-cause-concluded',
        principal?.name ?? by,
        `review ${id} concluded (${input.founded ? 'founded' : 'not founded'}): cause: ${input.cause}; measure: ${input.measure}`,
      );
      return view(
        {
          ...row,
          status: 'completed',
          cause: input.cause,
          measure: input.measure,
          founded: input.founded,
          closed_at: now,
          closed_by: by,
        },
        now,
      );
    });
  }

  /** Closes a spike: no incident after all, or dealt with (its customers informed). */
  async closeSpike(id: string, note: string | undefined, principal: Principal | undefined) {
    return this.dataSource.transaction(async (m) => {
      const row = await this.item(m, id, true);
      this.mayWork(row, principal);
      if (row.kind !== 'spike') throw ApiError.conflict('not-a-spike', `${id} is a review; conclude it`);
      if (row.status !== 'open') throw ApiError.conflict('spike-closed', `${id} is already ${row.status}`);
      const now = this.clock.now();
      const by = actorOf(principal);
      await m.query(
        `UPDATE root_cause_items SET status = 'closed', close_note = $2, closed_at = $3, closed_by = $4 WHERE id = $1`,
        [id, note ?? null, now.toISOString(), by],
      );
      return view({ ...row, status: 'closed', close_note: note ?? null, closed_at: now, closed_by: by }, now);
    });
  }

  /** Reviews past their due date, noticed once (the moment is kept); returns how many. */
  async markOverdue(manager: EntityManager, now: Date): Promise<number> {
    const rows = returnedRows<{ id: string; category: string; owner_id: string | null; due_at: Date }>(
      await manager.query(
        `UPDATE root_cause_items SET overdue_at = $1
          WHERE kind = 'review' AND status = 'open' AND overdue_at IS NULL AND due_at <= $1
          RETURNING id, category, owner_id, due_at`,
        [now.toISOString()],
      ),
    );
    for (const r of rows)
      this.logger.warn(
        { reviewId: r.id, category: r.category, ownerId: r.owner_id, dueAt: iso(r.due_at) },
        'root-cause review overdue',
      );
    return rows.length;
  }

  /** Counts for the KPIs: reviews opened, open, overdue, completed (on time), founded; spikes. */
  async summary(
    from: Date,
    to: Date,
    teams: string[] | null,
  ): Promise<{
    from: string;
    to: string;
    total: RootCauseCounts;
    byCategory: Array<RootCauseCounts & { category: string }>;
  }> {
    const now = this.clock.now();
    const params: unknown[] = [from.toISOString(), to.toISOString(), now.toISOString()];
    const teamClause = teams === null ? '' : `WHERE team_id = ANY($${params.push(teams)})`;
    const rows = (await this.dataSource.query(
      `SELECT category,
              count(*) FILTER (WHERE kind = 'review' AND opened_at >= $1 AND opened_at < $2)::int AS reviews_opened,
              count(*) FILTER (WHERE kind = 'review' AND status = 'open')::int AS reviews_open,
              count(*) FILTER (WHERE kind = 'review' AND status = 'open' AND due_at <= $3)::int AS reviews_overdue,
              count(*) FILTER (WHERE kind = 'review' AND status = 'completed' AND closed_at >= $1 AND closed_at < $2)::int AS completed,
              count(*) FILTER (WHERE kind = 'review' AND status = 'completed' AND closed_at >= $1 AND closed_at < $2 AND closed_at <= due_at)::int AS on_time,
              count(*) FILTER (WHERE kind = 'review' AND status = 'completed' AND closed_at >= $1 AND closed_at < $2 AND founded)::int AS founded,
              count(*) FILTER (WHERE kind = 'spike' AND opened_at >= $1 AND opened_at < $2)::int AS spikes_flagged,
              count(*) FILTER (WHERE kind = 'spike' AND status = 'open')::int AS spikes_open
         FROM root_cause_items ${teamClause} GROUP BY category ORDER BY category`,
      params,
    )) as Array<{
      category: string;
      reviews_opened: number;
      reviews_open: number;
      reviews_overdue: number;
      completed: number;
      on_time: number;
      founded: number;
      spikes_flagged: number;
      spikes_open: number;
    }>;
    const counts = (r: Omit<(typeof rows)[number], 'category'>): RootCauseCounts => ({
      reviewsOpened: r.reviews_opened,
      reviewsOpen: r.reviews_open,
      reviewsOverdue: r.reviews_overdue,
      reviewsCompleted: r.completed,
      reviewsCompletedOnTime: r.on_time,
      founded: r.founded,
      foundedRate: r.completed ? r.founded / r.completed : null,
      spikesFlagged: r.spikes_flagged,
      spikesOpen: r.spikes_open,
    });
    const sum = (k: keyof Omit<(typeof rows)[number], 'category'>) => rows.reduce((s, r) => s + r[k], 0);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      total: counts({
        reviews_opened: sum('reviews_opened'),
        reviews_open: sum('reviews_open'),
        reviews_overdue: sum('reviews_overdue'),
        completed: sum('completed'),
        on_time: sum('on_time'),
        founded: sum('founded'),
        spikes_flagged: sum('spikes_flagged'),
        spikes_open: sum('spikes_open'),
      }),
      byCategory: rows.map((r) => ({ category: r.category, ...counts(r) })),
    };
  }

  private async item(m: EntityManager, id: string, lock = false): Promise<ItemRow> {
    const [row] = (await m.query(`SELECT * FROM root_cause_items WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [
      id,
    ])) as ItemRow[];
    if (!row) throw ApiError.notFound('root-cause item', id);
    return row;
  }

  /** The owner, a lead of the item's team, an admin, or a machine (API key). */
  private mayWork(row: ItemRow, principal: Principal | undefined): void {
    if (!mayAccessTeam(principal, row.team_id))
      throw forbidden('This review belongs to a team that is not yours');
    if (principal?.kind === 'api-key') return;
    if (principal?.memberId && principal.memberId === row.owner_id) return;
    if (LEADS.includes(principal?.role ?? '')) return;
    throw forbidden(
      `Only the owner${row.owner_name ? ` (${row.owner_name})` : ''} or a team lead may do this`,
    );
  }

  private async recordOnComplaints(
    m: EntityManager,
    itemId: string,
    now: Date,
    kind: string,
    actor: string,
    reason: string,
  ): Promise<void> {
    const ids = (
      (await m.query('SELECT complaint_id FROM root_cause_links WHERE item_id = $1', [itemId])) as Array<{
        complaint_id: string;
      }>
    ).map((r) => r.complaint_id);
    await appendHistory(
      m,
      ids.map((complaintId) => ({
        complaintId,
        at: now,
        kind,
        actor,
        reason,
        data: { itemId },
        eventId: `${itemId}:${kind}`,
      })),
    );
  }
}

function view(r: ItemRow, now: Date): RootCauseItemView {
  const due = r.due_at ? new Date(r.due_at) : null;
  return {
    id: r.id,
    kind: r.kind,
    category: r.category,
    unit: r.unit,
    status: r.status,
    openedAt: iso(r.opened_at),
    windowStart: iso(r.window_start),
    complaintCount: Number(r.complaint_count),
    linkedCount: r.complaint_ids?.length ?? 0,
    complaintIds: r.complaint_ids ?? [],
    expected: r.expected === null ? null : Number(r.expected),
    reason: r.reason,
    teamId: r.team_id,
    owner: r.owner_id ? { id: r.owner_id, name: r.owner_name ?? r.owner_id } : null,
    dueAt: due ? due.toISOString() : null,
    overdue: r.status === 'open' && !!due && due.getTime() <= now.getTime(),
    overdueAt: r.overdue_at ? iso(r.overdue_at) : null,
    conclusion:
      r.status === 'completed' && r.cause !== null
        ? { cause: r.cause, measure: r.measure ?? '', founded: r.founded === true }
        : null,
    closedAt: r.closed_at ? iso(r.closed_at) : null,
    closedBy: r.closed_by,
    closeNote: r.close_note,
  };
}
