import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { SlaAlertEvent, encodeEvent, type SlaAlert, type SlaClockKind } from '@klaxon/contracts';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, appendToOutbox, returnedRows } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

type FiredRow = { id: string; complaint_id: string; clock: SlaClockKind; deadline: Date; owner_id: string | null; team_id: string | null };

/**
 * Fires due warnings and breaches. Each due clock row is claimed with FOR UPDATE SKIP LOCKED and
 * marked in the same transaction that writes its SlaAlert to the outbox: with several sla replicas,
 * or after a crash, every alert fires exactly once.
 */
@Injectable()
export class FireDueAlertsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** One pass; returns how many alerts fired (a full batch means: call again at once). */
  async fireDue(): Promise<number> {
    const now = this.clock.now();
    return this.dataSource.transaction(async (manager) => {
      const warned = await this.claim(manager, 'warning', now);
      const breached = await this.claim(manager, 'breach', now);
      const alerts = [...warned.map((r) => this.alert(r, 'warning', now)), ...breached.map((r) => this.alert(r, 'breach', now))];
      if (alerts.length === 0) return 0;
      await appendToOutbox(manager, alerts.map((a) => encodeEvent(SlaAlertEvent, a, { eventId: a.alertId, correlationId: a.complaintId })));
      await appendHistory(
        manager,
        alerts.map((a) => ({ complaintId: a.complaintId, at: now, kind: `sla-${a.kind}`, actor: 'sla', reason: `${a.clock} ${a.kind === 'warning' ? 'due soon' : 'deadline passed'} (deadline ${a.deadline})`, data: a, eventId: a.alertId })),
      );
      for (const a of alerts) this.logger.info({ complaintId: a.complaintId, correlationId: a.complaintId, clock: a.clock, kind: a.kind }, 'sla alert');
      return alerts.length;
    });
  }

  private async claim(manager: EntityManager, kind: 'warning' | 'breach', now: Date): Promise<FiredRow[]> {
    const sql =
      kind === 'warning'
        ? `WITH due AS (SELECT id FROM sla_clocks WHERE status = 'running' AND warned_at IS NULL AND warn_at <= $1 AND deadline > $1
                         ORDER BY warn_at LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE sla_clocks s SET warned_at = $1 FROM due WHERE s.id = due.id
           RETURNING s.id, s.complaint_id, s.clock, s.deadline, s.owner_id, s.team_id`
        : `WITH due AS (SELECT id FROM sla_clocks WHERE status = 'running' AND deadline <= $1
                         ORDER BY deadline LIMIT $2 FOR UPDATE SKIP LOCKED)
           UPDATE sla_clocks s SET status = 'breached', breached_at = $1 FROM due WHERE s.id = due.id
           RETURNING s.id, s.complaint_id, s.clock, s.deadline, s.owner_id, s.team_id`;
    return returnedRows<FiredRow>(await manager.query(sql, [now.toISOString(), this.options.scanBatchSize]));
  }

  private alert(row: FiredRow, kind: 'warning' | 'breach', now: Date): SlaAlert {
    return {
      alertId: `${row.complaint_id}:${row.clock}:${kind}`,
      complaintId: row.complaint_id,
      clock: row.clock,
      kind,
      deadline: new Date(row.deadline).toISOString(),
      firedAt: now.toISOString(),
      ...(row.owner_id ? { ownerId: row.owner_id } : {}),
      ...(row.team_id ? { teamId: row.team_id } : {}),
    };
  }
}
