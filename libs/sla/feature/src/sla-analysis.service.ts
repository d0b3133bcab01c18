import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, returnedRows } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { predictBreach } from '@klaxon/sla/domain';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';
import { WebhooksService } from './webhooks.service';

type ShareRow = { team_id: string; lead_id: string | null; target: number; handled: number; within: number };
type OpenRow = {
  id: string;
  complaint_id: string;
  clock: string;
  team_id: string;
  deadline: Date;
  queue_ahead: number;
};
type TeamRow = { team_id: string; lanes: number; samples: number[] | null };

const MIN_SAMPLE = 5;

/**
 * The slower passes: a team lead is alerted (once a day) when the share of clocks their team met
 * within SLA drops below the team's target; open first-response and resolution clocks are flagged at
 * risk, before their warning, when the queue ahead of them at the team's recent pace will not be
 * worked off in time (so they can be re-routed).
 */
@Injectable()
export class SlaAnalysisService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly webhooks: WebhooksService,
  ) {}

  /** Returns the teams alerted in this pass. */
  async checkTeamShares(): Promise<Array<{ teamId: string; share: number; target: number }>> {
    const now = this.clock.now();
    const from = new Date(now.getTime() - (this.options.teamShareWindowMs ?? 7 * 86_400_000));
    const period = now.toISOString().slice(0, 10);
    return this.dataSource.transaction(async (m) => {
      const rows = (await m.query(
        `SELECT k.team_id, t.lead_id, t.sla_target AS target, count(*)::int AS handled, count(*) FILTER (WHERE k.status = 'met')::int AS within
           FROM sla_clocks k JOIN teams t ON t.id = k.team_id
          WHERE k.status IN ('met', 'breached') AND k.clock <> 'owner' AND COALESCE(k.breached_at, k.met_at) >= $1 AND COALESCE(k.breached_at, k.met_at) < $2
          GROUP BY k.team_id, t.lead_id, t.sla_target`,
        [from.toISOString(), now.toISOString()],
      )) as ShareRow[];
      const below = rows.filter((r) => r.handled >= MIN_SAMPLE && r.within / r.handled < r.target);
      const alerted: Array<{ teamId: string; share: number; target: number }> = [];
      for (const r of below) {
        const share = r.within / r.handled;
        const inserted = returnedRows<{ team_id: string }>(
          await m.query(
            `INSERT INTO sla_team_alerts (team_id, period, share, target, fired_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING team_id`,
            [r.team_id, period, share, r.target, now.toISOString()],
          ),
        );
        if (inserted.length === 0) continue;
        const payload = {
          teamId: r.team_id,
          notify: r.lead_id,
          share,
          target: r.target,
          handled: r.handled,
          from: from.toISOString(),
          to: now.toISOString(),
        };
        await this.webhooks.enqueue(m, [
          { eventId: `share:${r.team_id}:${period}`, type: 'sla-share-below-target', payload },
        ]);
        this.logger.warn(payload, 'team SLA share below target');
        alerted.push({ teamId: r.team_id, share, target: r.target });
      }
      return alerted;
    });
  }

  /** Returns how many clocks were newly flagged at risk. */
  async predictBreaches(): Promise<number> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      const open = (await m.query(
        `SELECT id, complaint_id, clock, team_id, deadline, queue_ahead FROM (
           SELECT id, complaint_id, clock, team_id, deadline, at_risk, warn_at,
                  (row_number() OVER (PARTITION BY team_id, clock ORDER BY deadline) - 1)::int AS queue_ahead
             FROM sla_clocks WHERE status = 'running' AND clock IN ('first-response', 'resolution') AND team_id IS NOT NULL) q
          WHERE NOT at_risk AND warn_at > $1`,
        [now.toISOString()],
      )) as OpenRow[];
      if (open.length === 0) return 0;
      const teams = (await m.query(
        `SELECT t.id AS team_id,
                (SELECT count(*)::int FROM team_members tm WHERE tm.team_id = t.id AND tm.active) AS lanes,
                (SELECT array_agg(ms) FROM (SELECT (extract(epoch FROM k.met_at - k.started_at) * 1000)::float8 AS ms FROM sla_clocks k
                    WHERE k.team_id = t.id AND k.clock = 'first-response' AND k.met_at IS NOT NULL ORDER BY k.met_at DESC LIMIT 50) s) AS samples
           FROM teams t WHERE t.id = ANY($1)`,
        [[...new Set(open.map((o) => o.team_id))]],
      )) as TeamRow[];
      const byTeam = new Map(teams.map((t) => [t.team_id, t]));
      const flagged = open.flatMap((o) => {
        const t = byTeam.get(o.team_id);
        if (!t) return [];
        const p = predictBreach(now, new Date(o.deadline), {
          queueAhead: o.queue_ahead,
          parallelCapacity: t.lanes,
          recentHandlingMs: (t.samples ?? []).map(Number),
        });
        return p.atRisk ? [{ ...o, reason: p.reason, expectedAt: p.expectedAt }] : [];
      });
      if (flagged.length === 0) return 0;
      await m.query(
        `UPDATE sla_clocks s SET at_risk = true, at_risk_reason = f.reason FROM jsonb_to_recordset($1::jsonb) AS f(id bigint, reason text) WHERE s.id = f.id`,
        [JSON.stringify(flagged.map((f) => ({ id: f.id, reason: f.reason })))],
      );
      const notices = flagged.map((f) => ({
        eventId: `at-risk:${f.complaint_id}:${f.clock}:${new Date(f.deadline).getTime().toString(36)}`,
        type: 'sla-at-risk',
        payload: {
          complaintId: f.complaint_id,
          clock: f.clock,
          teamId: f.team_id,
          deadline: new Date(f.deadline).toISOString(),
          expectedAt: f.expectedAt.toISOString(),
          reason: f.reason,
        },
      }));
      await this.webhooks.enqueue(m, notices);
      await appendHistory(
        m,
        notices.map((n) => ({
          complaintId: n.payload.complaintId,
          at: now,
          kind: 'sla-at-risk',
          actor: 'sla',
          reason: `${n.payload.clock} at risk: ${n.payload.reason}`,
          data: n.payload,
          eventId: n.eventId,
        })),
      );
      return flagged.length;
    });
  }
}
