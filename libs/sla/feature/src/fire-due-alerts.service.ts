import { Inject, Injectable, Optional } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { SlaAlertEvent, encodeEvent, type SlaAlert, type SlaClockKind } from '@klaxon/contracts';
import type { Logger, Registry } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, appendToOutbox, returnedRows } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, METRICS, type Clock } from '@klaxon/platform/runtime';
import { escalationLadder, type EscalationLevel } from '@klaxon/sla/domain';
import { SlaMetrics } from './sla.metrics';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';
import { WebhooksService } from './webhooks.service';

type FiredRow = {
  id: string;
  complaint_id: string;
  clock: SlaClockKind;
  deadline: Date;
  started_at: Date;
  owner_id: string | null;
  team_id: string | null;
  reputational_risk: boolean | null;
};
type EscalationRow = {
  complaint_id: string;
  clock: SlaClockKind;
  level: EscalationLevel;
  reason: string;
  owner_id: string | null;
  team_id: string | null;
  deadline: Date;
  lead_id: string | null;
};

/** An alert as it travels in webhooks: the bus event plus who should hear it. */
export type AlertNotice = SlaAlert & { level?: EscalationLevel; notify?: string | null; reason?: string };

/**
 * Fires due warnings, breaches and escalations. Each due row is claimed with FOR UPDATE SKIP LOCKED
 * and marked in the same transaction that writes its SlaAlert to the outbox, its webhook deliveries
 * and its history: with several sla replicas, or after a crash, every alert fires exactly once. A
 * breach schedules the escalation ladder (team lead after 60 min, executive after 4 h more; external
 * risk at once); a clock met in between cancels what is left of it.
 */
@Injectable()
export class FireDueAlertsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly webhooks: WebhooksService,
    // Optional: the SLA test kit and the replica tool construct this service without a registry.
    @Optional() @Inject(METRICS) registry?: Registry,
  ) {
    this.metrics = new SlaMetrics(registry);
  }
  private readonly metrics: SlaMetrics;

  /** One pass; returns how many alerts fired (a full batch means: call again at once). */
  async fireDue(): Promise<number> {
    const now = this.clock.now();
    let fired: AlertNotice[] = [];
    const count = await this.dataSource.transaction(async (manager) => {
      const warned = await this.claim(manager, 'warning', now);
      const breached = await this.claim(manager, 'breach', now);
      await this.scheduleLadders(manager, breached);
      const escalated = await this.claimEscalations(manager, now);
      const alerts: AlertNotice[] = [
        ...warned.map((r) => this.alert(r, 'warning', now)),
        ...breached.map((r) => this.alert(r, 'breach', now)),
        ...escalated.map((e) => ({
          ...this.alert(
            {
              complaint_id: e.complaint_id,
              clock: e.clock,
              deadline: e.deadline,
              owner_id: e.owner_id,
              team_id: e.team_id,
            },
            'escalation',
            now,
            e.level,
          ),
          level: e.level,
          notify: e.level === 'team-lead' ? e.lead_id : 'executive',
          reason: e.reason,
        })),
      ];
      if (alerts.length === 0) return 0;
      // A row that cannot make a valid event (a corrupt complaint id) must not block every pass: it is
      // marked fired like the others, logged as an error and recorded, never silently dropped.
      const encoded = alerts.flatMap(({ level: _l, notify: _n, reason: _r, ...a }) => {
        try {
          return [
            encodeEvent(SlaAlertEvent, a, {
              eventId: a.alertId,
              correlationId: a.complaintId,
              occurredAt: a.firedAt,
            }),
          ];
        } catch (err) {
          this.logger.error(
            { err, alertId: a.alertId, complaintId: a.complaintId },
            'sla alert does not match its contract; not published',
          );
          return [];
        }
      });
      await appendToOutbox(manager, encoded);
      await this.webhooks.enqueue(
        manager,
        alerts.map((a) => ({ eventId: a.alertId, type: 'sla-alert', payload: a })),
      );
      await appendHistory(
        manager,
        alerts.map((a) => ({
          complaintId: a.complaintId,
          at: now,
          kind: `sla-${a.kind}`,
          actor: 'sla',
          reason:
            a.kind === 'escalation'
              ? `${a.clock}: escalated to ${a.level} (${a.reason})`
              : `${a.clock} ${a.kind === 'warning' ? 'due soon' : 'deadline passed'} (deadline ${a.deadline})`,
          data: a,
          eventId: a.alertId,
        })),
      );
      for (const a of alerts)
        this.logger.info(
          {
            complaintId: a.complaintId,
            correlationId: a.complaintId,
            clock: a.clock,
            kind: a.kind,
            level: a.level,
          },
          'sla alert',
        );
      fired = alerts;
      return alerts.length;
    });
    this.metrics.record(fired);
    return count;
  }

  private async claim(manager: EntityManager, kind: 'warning' | 'breach', now: Date): Promise<FiredRow[]> {
    const returning = `RETURNING s.id, s.complaint_id, s.clock, s.deadline, s.started_at, s.owner_id, s.team_id,
                         (SELECT reputational_risk FROM complaints c WHERE c.id = s.complaint_id) AS reputational_risk`;
    const sql =
      kind === 'warning'
        ? `WITH due AS (SELECT id FROM sla_clocks WHERE status = 'running' AND warned_at IS NULL AND warn_at <= $1 AND deadline > $1
                         ORDER BY warn_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE sla_clocks s SET warned_at = $1 FROM due WHERE s.id = due.id ${returning}`
        : `WITH due AS (SELECT id FROM sla_clocks WHERE status = 'running' AND deadline <= $1
                         ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE sla_clocks s SET status = 'breached', breached_at = $1, updated_at = $1 FROM due WHERE s.id = due.id ${returning}`;
    return returnedRows<FiredRow>(await manager.query(sql, [now.toISOString(), this.options.scanBatchSize]));
  }

  private async scheduleLadders(manager: EntityManager, breached: FiredRow[]): Promise<void> {
    const steps = breached.flatMap((r) =>
      escalationLadder(
        new Date(r.deadline),
        { externalRisk: r.reputational_risk === true },
        this.options.escalation,
      ).map((s) => ({
        complaint_id: r.complaint_id,
        clock: r.clock,
        level: s.level,
        due_at: s.dueAt.toISOString(),
        reason: s.reason,
        owner_id: r.owner_id,
        team_id: r.team_id,
      })),
    );
    if (steps.length === 0) return;
    await manager.query(
      `INSERT INTO sla_escalations (complaint_id, clock, level, due_at, reason, owner_id, team_id)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(complaint_id text, clock text, level text, due_at timestamptz, reason text, owner_id text, team_id text)
       ON CONFLICT DO NOTHING`,
      [JSON.stringify(steps)],
    );
  }

  private async claimEscalations(manager: EntityManager, now: Date): Promise<EscalationRow[]> {
    return returnedRows<EscalationRow>(
      await manager.query(
        `WITH due AS (SELECT e.id FROM sla_escalations e
                       WHERE e.status = 'pending' AND e.due_at <= $1
                         AND NOT EXISTS (SELECT 1 FROM sla_clocks c WHERE c.complaint_id = e.complaint_id AND c.clock = e.clock AND c.met_at IS NOT NULL)
                       ORDER BY e.due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
         UPDATE sla_escalations e SET status = 'fired', fired_at = $1 FROM due WHERE e.id = due.id
         RETURNING e.complaint_id, e.clock, e.level, e.reason, e.owner_id, e.team_id,
                   (SELECT deadline FROM sla_clocks c WHERE c.complaint_id = e.complaint_id AND c.clock = e.clock) AS deadline,
                   (SELECT lead_id FROM teams t WHERE t.id = e.team_id) AS lead_id`,
        [now.toISOString(), this.options.scanBatchSize],
      ),
    );
  }

  private alert(
    row: Pick<FiredRow, 'complaint_id' | 'clock' | 'deadline' | 'owner_id' | 'team_id'>,
    kind: SlaAlert['kind'],
    now: Date,
    level?: EscalationLevel,
  ): SlaAlert {
    const deadline = new Date(row.deadline);
    return {
      // One alert per clock period and kind: a clock restarted by a reopen has a new deadline.
      alertId: `${row.complaint_id}:${row.clock}:${deadline.getTime().toString(36)}:${kind}${level ? `:${level}` : ''}`,
      complaintId: row.complaint_id,
      clock: row.clock,
      kind,
      deadline: deadline.toISOString(),
      firedAt: now.toISOString(),
      ...(row.owner_id ? { ownerId: row.owner_id } : {}),
      ...(row.team_id ? { teamId: row.team_id } : {}),
    };
  }
}
