import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { ComplaintAssigned } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, claimEvents } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { BusinessCalendar, computeDeadlines, selectPolicy } from '@klaxon/sla/domain';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

export const SLA_CONSUMER = 'klaxon-sla';

/**
 * Starts a complaint's clocks when it gets an owner: acknowledgement, owner, first response and
 * resolution, from the policy that matches it, in working time where the policy says so. The owner
 * clock is met (or late) at once: the assignment is what it measures.
 */
@Injectable()
export class SetDeadlinesService {
  private readonly calendar: BusinessCalendar;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.calendar = new BusinessCalendar(options.calendar);
  }

  async handle(batch: ConsumedEvent<ComplaintAssigned>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const fresh = await claimEvents(manager, SLA_CONSUMER, batch.map((e) => e.envelope.eventId));
      const todo = batch.map((e) => e.envelope).filter((e) => fresh.has(e.eventId));
      if (todo.length === 0) return;
      const clocks = todo.flatMap(({ data: a }) => {
        const policy = selectPolicy(this.options.policies, { priority: a.priority, channel: a.channel, category: a.category });
        return computeDeadlines(policy, new Date(a.receivedAt), this.calendar).map((d) => {
          const assignedAt = new Date(a.assignedAt);
          const ownerClock = d.clock === 'owner';
          return {
            complaint_id: a.complaintId,
            clock: d.clock,
            policy: policy.id,
            started_at: d.startedAt.toISOString(),
            deadline: d.deadline.toISOString(),
            warn_at: d.warnAt.toISOString(),
            status: ownerClock ? (assignedAt <= d.deadline ? 'met' : 'breached') : 'running',
            met_at: ownerClock && assignedAt <= d.deadline ? a.assignedAt : null,
            breached_at: ownerClock && assignedAt > d.deadline ? a.assignedAt : null,
            owner_id: a.ownerId,
            team_id: a.teamId,
          };
        });
      });
      await manager.query(
        `INSERT INTO sla_clocks (complaint_id, clock, started_at, deadline, warn_at, status, met_at, breached_at, owner_id, team_id)
         SELECT complaint_id, clock, started_at, deadline, warn_at, status, met_at, breached_at, owner_id, team_id
           FROM jsonb_to_recordset($1::jsonb) AS c(complaint_id text, clock text, started_at timestamptz, deadline timestamptz, warn_at timestamptz,
                status text, met_at timestamptz, breached_at timestamptz, owner_id text, team_id text)
         ON CONFLICT (complaint_id, clock) DO NOTHING`,
        [JSON.stringify(clocks)],
      );
      await appendHistory(
        manager,
        todo.map((e) => {
          const mine = clocks.filter((c) => c.complaint_id === e.data.complaintId);
          return {
            complaintId: e.data.complaintId,
            at: e.data.assignedAt,
            kind: 'deadlines-set',
            actor: 'sla',
            reason: `policy ${mine[0]?.policy}: ${mine.map((c) => `${c.clock} by ${c.deadline}`).join(', ')}`,
            data: mine.map((c) => ({ clock: c.clock, deadline: c.deadline, warnAt: c.warn_at, status: c.status })),
            eventId: e.eventId,
            correlationId: e.correlationId,
          };
        }),
      );
      this.logger.debug({ complaints: todo.length }, 'deadlines set');
    });
  }
}
