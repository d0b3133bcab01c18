import { Controller, Get, Inject, Query } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { UNCATEGORISED, channel, classifiedCategory, isoDateTime } from '@klaxon/contracts';
import {
  CurrentPrincipal,
  RequireScope,
  forbidden,
  teamFilterOf,
  type Principal,
} from '@klaxon/platform/auth';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { ApiError, CLOCK, parseOrThrow, type Clock } from '@klaxon/platform/runtime';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

const kpiQuery = z.strictObject({
  from: isoDateTime.optional(),
  to: isoDateTime.optional(),
  channel: channel.optional(),
  category: classifiedCategory.optional(),
  teamId: z.string().min(1).max(100).optional(),
  groupBy: z.enum(['channel', 'category', 'team', 'day', 'week', 'none']).default('none'),
});
type KpiQuery = z.output<typeof kpiQuery>;

type KpiClock = 'acknowledgement' | 'owner' | 'first-response' | 'resolution';

type ClockAgg = {
  key: string;
  clock: KpiClock;
  met: number;
  breached: number;
  open: number;
  avg_ms: number | null;
  p50_ms: number | null;
  p90_ms: number | null;
};
type CaseAgg = {
  key: string;
  complaints: number;
  csat_avg: number | null;
  csat_count: number;
  csat_low: number;
  backlog: number;
  founded: number;
  founded_decided: number;
};
type FollowUpAgg = {
  key: string;
  opened: number;
  open: number;
  completed: number;
  contacted: number;
  remedy_offered: number;
  reopened: number;
  met: number;
  breached: number;
};

export interface KpiGroup {
  key: string;
  complaints: number;
  backlog: number;
  timeToAcknowledgement: Timing;
  timeToOwner: Timing;
  timeToFirstResponse: Timing;
  timeToResolution: Timing;
  /** Met within SLA / (met + breached), over all clocks but the owner clock; null without finished clocks. */
  withinSla: number | null;
  /** `followUps`: responses that asked for a follow-up (3 or lower). */
  csat: { average: number | null; responses: number; followUps: number };
  /** Resolved complaints found founded, of those decided; share null without any. */
  founded: { founded: number; decided: number; share: number | null };
  /** The follow-ups low CSATs opened (by the complaints' team), their outcomes and whether they kept their clock. */
  followUps: {
    opened: number;
    open: number;
    completed: number;
    outcomes: { contacted: number; remedyOffered: number; reopened: number };
    /** Met within the follow-up clock / (met + breached); null without finished ones. */
    withinTime: number | null;
    breached: number;
  };
}
export interface Timing {
  averageMinutes: number | null;
  medianMinutes: number | null;
  p90Minutes: number | null;
  withinSla: number | null;
  met: number;
  breached: number;
  open: number;
}

/**
 * KPIs per channel, category, team or period: time to acknowledgement, owner, first response and
 * resolution (from the clocks' start to when they were met), share within SLA, CSAT, backlog
 * (complaints still open at the end of the range, or of each day/week), the share found founded, and
 * the low-CSAT follow-ups with their outcomes and clock.
 */
@Controller('api/kpis')
export class KpiController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @RequireScope('read')
  async kpis(@Query() query: Record<string, string>, @CurrentPrincipal() principal?: Principal) {
    const q = parseOrThrow(kpiQuery, query, 'query');
    // A person reads the KPIs of their own teams; executives, admins and API keys those of every team.
    const teams = teamFilterOf(principal);
    if (teams !== null && q.teamId && !teams.includes(q.teamId))
      throw forbidden(`Team ${q.teamId} is not one of yours`);
    const to = q.to ? new Date(q.to) : this.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) throw ApiError.badRequest('invalid-field', 'from must be before to', 'from');
    const groups = await this.compute(q, from, to, teams);
    return {
      from: from.toISOString(),
      to: to.toISOString(),
      groupBy: q.groupBy,
      timeZone: this.options.calendar.timeZone,
      groups,
    };
  }

  private async compute(
    q: KpiQuery,
    from: Date,
    to: Date,
    teams: string[] | null = null,
  ): Promise<KpiGroup[]> {
    const tz = this.options.calendar.timeZone;
    const params: unknown[] = [from.toISOString(), to.toISOString(), tz];
    const where = [`c.received_at >= $1`, `c.received_at < $2`, `c.status NOT IN ('signal', 'erased')`];
    if (q.channel) where.push(`c.channel = $${params.push(q.channel)}`);
    // Not classified yet counts as uncategorised, in the filter as in the grouping.
    if (q.category)
      where.push(
        q.category === UNCATEGORISED
          ? `(c.category IS NULL OR c.category = $${params.push(q.category)})`
          : `c.category = $${params.push(q.category)}`,
      );
    if (q.teamId) where.push(`c.team_id = $${params.push(q.teamId)}`);
    if (teams !== null) where.push(`c.team_id = ANY($${params.push(teams)})`);
    const key = {
      none: `'all'`,
      channel: `c.channel`,
      category: `COALESCE(c.category, '${UNCATEGORISED}')`,
      team: `COALESCE(c.team_id, 'unassigned')`,
      day: `to_char(date_trunc('day', c.received_at AT TIME ZONE $3), 'YYYY-MM-DD')`,
      week: `to_char(date_trunc('week', c.received_at AT TIME ZONE $3), 'IYYY-"W"IW')`,
    }[q.groupBy];
    // Backlog: open at the end of the bucket (the range's end; for day/week the bucket's own end).
    const bucketEnd =
      q.groupBy === 'day'
        ? `LEAST((date_trunc('day', c.received_at AT TIME ZONE $3) + interval '1 day') AT TIME ZONE $3, $2::timestamptz)`
        : q.groupBy === 'week'
          ? `LEAST((date_trunc('week', c.received_at AT TIME ZONE $3) + interval '1 week') AT TIME ZONE $3, $2::timestamptz)`
          : `$2::timestamptz`;
    const filtered = `SELECT c.*, ${key} AS key, ${bucketEnd} AS bucket_end, $3::text AS tz FROM complaints c WHERE ${where.join(' AND ')}`;
    const clocks = (await this.dataSource.query(
      `WITH f AS (${filtered})
       SELECT f.key, k.clock,
              count(*) FILTER (WHERE k.status = 'met')::int AS met,
              count(*) FILTER (WHERE k.status = 'breached')::int AS breached,
              count(*) FILTER (WHERE k.status IN ('running', 'paused'))::int AS open,
              avg(extract(epoch FROM k.met_at - k.started_at) * 1000) FILTER (WHERE k.met_at IS NOT NULL)::float8 AS avg_ms,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM k.met_at - k.started_at) * 1000) FILTER (WHERE k.met_at IS NOT NULL)::float8 AS p50_ms,
              percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM k.met_at - k.started_at) * 1000) FILTER (WHERE k.met_at IS NOT NULL)::float8 AS p90_ms
         FROM f JOIN sla_clocks k ON k.complaint_id = f.id
        WHERE k.clock IN ('acknowledgement', 'owner', 'first-response', 'resolution')
        GROUP BY f.key, k.clock`,
      params,
    )) as ClockAgg[];
    const cases = (await this.dataSource.query(
      `WITH f AS (${filtered})
       SELECT key, count(*)::int AS complaints, avg(csat_score)::float8 AS csat_avg, count(csat_score)::int AS csat_count,
              count(*) FILTER (WHERE csat_score <= 3)::int AS csat_low,
              count(*) FILTER (WHERE resolved_at IS NULL OR resolved_at >= bucket_end)::int AS backlog,
              count(*) FILTER (WHERE founded)::int AS founded, count(founded)::int AS founded_decided
         FROM f GROUP BY key ORDER BY key`,
      params,
    )) as CaseAgg[];
    // Follow-ups are the router's records (read here); their clocks are this stage's.
    const followUps = (await this.dataSource.query(
      `WITH f AS (${filtered})
       SELECT f.key, count(DISTINCT u.id)::int AS opened, count(DISTINCT u.id) FILTER (WHERE u.status = 'open')::int AS open,
              count(DISTINCT u.id) FILTER (WHERE u.status = 'completed')::int AS completed,
              count(DISTINCT u.id) FILTER (WHERE u.outcome = 'contacted')::int AS contacted,
              count(DISTINCT u.id) FILTER (WHERE u.outcome = 'remedy-offered')::int AS remedy_offered,
              count(DISTINCT u.id) FILTER (WHERE u.outcome = 'reopened')::int AS reopened,
              count(DISTINCT k.id) FILTER (WHERE k.status = 'met')::int AS met,
              count(DISTINCT k.id) FILTER (WHERE k.status = 'breached')::int AS breached
         FROM f JOIN follow_ups u ON u.complaint_id = f.id
         LEFT JOIN sla_clocks k ON k.complaint_id = f.id AND k.clock = 'csat-follow-up'
        GROUP BY f.key`,
      params,
    )) as FollowUpAgg[];
    const minutes = (ms: number | null) => (ms === null ? null : Math.round((ms / 60_000) * 10) / 10);
    return cases.map((c) => {
      const mine = clocks.filter((k) => k.key === c.key);
      const timing = (clock: KpiClock): Timing => {
        const k = mine.find((x) => x.clock === clock);
        const finished = (k?.met ?? 0) + (k?.breached ?? 0);
        return {
          averageMinutes: minutes(k?.avg_ms ?? null),
          medianMinutes: minutes(k?.p50_ms ?? null),
          p90Minutes: minutes(k?.p90_ms ?? null),
          withinSla: finished ? k!.met / finished : null,
          met: k?.met ?? 0,
          breached: k?.breached ?? 0,
          open: k?.open ?? 0,
        };
      };
      const counted = mine.filter((k) => k.clock !== 'owner');
      const fu = followUps.find((x) => x.key === c.key);
      const fuFinished = (fu?.met ?? 0) + (fu?.breached ?? 0);
      const met = counted.reduce((s, k) => s + k.met, 0);
      const finished = counted.reduce((s, k) => s + k.met + k.breached, 0);
      return {
        key: c.key,
        complaints: c.complaints,
        backlog: c.backlog,
        timeToAcknowledgement: timing('acknowledgement'),
        timeToOwner: timing('owner'),
        timeToFirstResponse: timing('first-response'),
        timeToResolution: timing('resolution'),
        withinSla: finished ? met / finished : null,
        csat: {
          average: c.csat_avg === null ? null : Math.round(c.csat_avg * 100) / 100,
          responses: c.csat_count,
          followUps: c.csat_low,
        },
        founded: {
          founded: c.founded,
          decided: c.founded_decided,
          share: c.founded_decided ? c.founded / c.founded_decided : null,
        },
        followUps: {
          opened: fu?.opened ?? 0,
          open: fu?.open ?? 0,
          completed: fu?.completed ?? 0,
          outcomes: {
            contacted: fu?.contacted ?? 0,
            remedyOffered: fu?.remedy_offered ?? 0,
            reopened: fu?.reopened ?? 0,
          },
          withinTime: fuFinished ? fu!.met / fuFinished : null,
          breached: fu?.breached ?? 0,
        },
      };
    });
  }
}
