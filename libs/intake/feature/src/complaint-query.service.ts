import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { referenceFor } from '@klaxon/intake/domain';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import type { ComplaintView, Page } from './complaint-view';
import type { ListComplaintsQuery } from './submit-complaint.dto';

type Row = Record<string, unknown>;
const iso = (v: unknown): string => (v instanceof Date ? v : new Date(String(v))).toISOString();
const json = <T>(v: unknown, fallback: T): T =>
  v === null || v === undefined ? fallback : typeof v === 'string' ? (JSON.parse(v) as T) : (v as T);

const ESCALATED = `EXISTS (SELECT 1 FROM complaint_history h WHERE h.complaint_id = complaints.id AND h.kind = 'escalated') AS escalated`;

const ORDER_BY: Record<ListComplaintsQuery['sort'], string> = {
  newest: 'received_at DESC, id',
  oldest: 'received_at, id',
  // Highest priority first, then the clock that runs out first (paused and finished clocks do not count).
  risk: `CASE priority WHEN 'critical' THEN 0 WHEN 'high' THEN 1 ELSE 2 END,
         (SELECT min(s.deadline) FROM sla_clocks s WHERE s.complaint_id = complaints.id AND s.status = 'running') NULLS LAST,
         received_at, id`,
};

/**
 * What a search box means: a `KLX-` reference (or its start) finds that complaint; something with an
 * `@` is an e-mail address prefix; mostly digits is a phone number prefix; anything else is words,
 * matched with the stemming of each complaint's own language (Dutch or English).
 */
function searchCondition(text: string, params: unknown[]): string {
  const reference = /^klx-?([0-9a-z]{1,4})-?([0-9a-z]{0,4})$/i.exec(text.replace(/\s+/g, ''));
  if (reference) return `id LIKE $${params.push(`cmp_${(reference[1] + reference[2]).toLowerCase()}%`)}`;
  if (text.includes('@'))
    return `lower(customer->>'email') LIKE $${params.push(`${likeEscape(text.toLowerCase())}%`)}`;
  const digits = text.replace(/[^0-9]/g, '');
  if (digits.length >= 4 && /^[+0-9\s()./-]+$/.test(text)) {
    // Stored numbers are normalised to +31…; a typed 06… means the same number.
    const national = digits.startsWith('0') ? `31${digits.slice(1)}` : digits;
    // Two LIKEs OR-ed (not LIKE ANY): each can use the prefix index.
    const phone = `regexp_replace(customer->>'phone', '[^0-9]', '', 'g')`;
    return `(${phone} LIKE $${params.push(`${digits}%`)} OR ${phone} LIKE $${params.push(`${national}%`)})`;
  }
  const n = params.push(text);
  return `search_document @@ (websearch_to_tsquery('dutch', $${n}) || websearch_to_tsquery('english', $${n}))`;
}

function likeEscape(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Reads the one registration point: the complaint with its classification, owner, clocks and history. */
@Injectable()
export class ComplaintQueryService {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async get(id: string): Promise<ComplaintView | null> {
    const [row] = (await this.dataSource.query(`SELECT *, ${ESCALATED} FROM complaints WHERE id = $1`, [
      id,
    ])) as Row[];
    if (!row) return null;
    const [clocks, followUps, history] = await Promise.all([
      this.dataSource.query(
        'SELECT clock, deadline, warn_at, status FROM sla_clocks WHERE complaint_id = $1 ORDER BY deadline',
        [id],
      ) as Promise<Row[]>,
      this.followUps([id]),
      this.dataSource.query(
        'SELECT at, kind, actor, reason, data FROM complaint_history WHERE complaint_id = $1 ORDER BY at, id',
        [id],
      ) as Promise<Row[]>,
    ]);
    return {
      ...this.toView(row, clocks, followUps),
      history: history.map((h) => ({
        at: iso(h.at),
        kind: String(h.kind),
        actor: String(h.actor),
        reason: (h.reason as string | null) ?? null,
        data: json(h.data, null),
      })),
    };
  }

  /** `teamIds`: only complaints of these teams (null: every team). */
  async list(q: ListComplaintsQuery, teamIds: string[] | null = null): Promise<Page<ComplaintView>> {
    const where: string[] = [];
    const params: unknown[] = [];
    if (teamIds !== null) where.push(`team_id = ANY($${params.push(teamIds)})`);
    if (q.teamId) where.push(`team_id = $${params.push(q.teamId)}`);
    if (q.ownerId) where.push(`owner_id = $${params.push(q.ownerId)}`);
    if (q.followUpOwnerId)
      where.push(
        `EXISTS (SELECT 1 FROM follow_ups f WHERE f.complaint_id = complaints.id AND f.status = 'open' AND f.owner_id = $${params.push(q.followUpOwnerId)})`,
      );
    if (q.escalated === 'true')
      where.push(
        `EXISTS (SELECT 1 FROM complaint_history h WHERE h.complaint_id = complaints.id AND h.kind = 'escalated')`,
      );
    if (q.channel) where.push(`channel = $${params.push(q.channel)}`);
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.category) where.push(`category = $${params.push(q.category)}`);
    if (q.priority) where.push(`priority = $${params.push(q.priority)}`);
    if (q.receivedFrom) where.push(`received_at >= $${params.push(q.receivedFrom)}`);
    if (q.receivedTo) where.push(`received_at < $${params.push(q.receivedTo)}`);
    if (q.atRisk)
      where.push(
        `EXISTS (SELECT 1 FROM sla_clocks s WHERE s.complaint_id = complaints.id AND s.status = 'running' AND (s.at_risk OR s.warn_at <= now()))`,
      );
    if (q.breached)
      where.push(
        `EXISTS (SELECT 1 FROM sla_clocks s WHERE s.complaint_id = complaints.id AND s.status = 'breached')`,
      );
    if (q.q) where.push(searchCondition(q.q, params));
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM complaints ${clause}`,
      params,
    )) as Array<{ total: number }>;
    const rows = (await this.dataSource.query(
      `SELECT *, ${ESCALATED} FROM complaints ${clause} ORDER BY ${ORDER_BY[q.sort]} LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    )) as Row[];
    const ids = rows.map((r) => r.id);
    const clocks = ids.length
      ? ((await this.dataSource.query(
          'SELECT complaint_id, clock, deadline, warn_at, status FROM sla_clocks WHERE complaint_id = ANY($1) ORDER BY deadline',
          [ids],
        )) as Row[])
      : [];
    const followUps = await this.followUps(ids as string[]);
    return {
      items: rows.map((r) =>
        this.toView(
          r,
          clocks.filter((c) => c.complaint_id === r.id),
          followUps.filter((f) => f.complaint_id === r.id),
        ),
      ),
      total: Number(total),
      page: q.page,
      pageSize: q.pageSize,
    };
  }

  /** The router's follow-up records of these complaints (read here, written there). */
  private async followUps(ids: string[]): Promise<Row[]> {
    if (!ids.length) return [];
    return (await this.dataSource.query(
      `SELECT id, complaint_id, status, owner_id, owner_name, owner_role, reason, csat_score, still_open, opened_at, outcome, note, completed_at
         FROM follow_ups WHERE complaint_id = ANY($1) ORDER BY opened_at, id`,
      [ids],
    )) as Row[];
  }

  private toView(row: Row, clocks: Row[], followUps: Row[]): ComplaintView {
    const id = String(row.id);
    return {
      id,
      reference: referenceFor(id),
      channel: String(row.channel),
      status: String(row.status),
      receivedAt: iso(row.received_at),
      subject: (row.subject as string | null) ?? null,
      text: String(row.text),
      customer: json(row.customer, {}),
      customerPicked: (row.customer_picked as string | null) ?? null,
      customerId: (row.customer_id as string | null) ?? null,
      channelMeta: json(row.channel_meta, null),
      classification: row.classified_at
        ? {
            language: String(row.language),
            complaint: String(row.complaint_label),
            complaintProbability: Number(row.complaint_probability),
            category: String(row.category),
            categoryProbability: Number(row.category_probability),
            priority: String(row.priority),
            priorityReasons: json(row.priority_reasons, []),
            why: json(row.why, []),
            sentiment: Number(row.sentiment),
            reputationalRisk: Boolean(row.reputational_risk),
            modelVersion: String(row.model_version),
            classifiedAt: iso(row.classified_at),
          }
        : null,
      escalated: row.escalated === true,
      owner: row.owner_id
        ? {
            id: String(row.owner_id),
            name: String(row.owner_name),
            teamId: String(row.team_id),
            assignedAt: iso(row.assigned_at),
            reason: json(row.assignment_reason, null),
          }
        : null,
      // A clock paused while waiting on the customer has no deadline until it resumes.
      deadlines: clocks.map((c) => ({
        clock: String(c.clock),
        deadline: c.deadline ? iso(c.deadline) : null,
        warnAt: c.warn_at ? iso(c.warn_at) : null,
        status: String(c.status),
      })),
      followUps: followUps.map((f) => ({
        id: String(f.id),
        status: f.status === 'open' ? 'open' : 'completed',
        owner: f.owner_id
          ? {
              id: String(f.owner_id),
              name: String(f.owner_name ?? f.owner_id),
              role: String(f.owner_role ?? ''),
            }
          : null,
        reason: String(f.reason),
        csatScore: f.csat_score === null || f.csat_score === undefined ? null : Number(f.csat_score),
        stillOpen: Boolean(f.still_open),
        openedAt: iso(f.opened_at),
        outcome: (f.outcome as 'contacted' | 'remedy-offered' | 'reopened' | null) ?? null,
        note: (f.note as string | null) ?? null,
        completedAt: f.completed_at ? iso(f.completed_at) : null,
      })),
    };
  }
}
