import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { FollowUpAssigned } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, claimFresh, returnedRows } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { ClockPlannerService } from './clock-planner.service';
import { SLA_CONSUMER } from './set-deadlines.service';

export const SLA_FOLLOW_UPS_CONSUMER = `${SLA_CONSUMER}-follow-ups`;

/**
 * The follow-up clock runs under the owner the router gave the follow-up (a senior, else the team
 * lead): its warnings, breach and escalations name them, not the complaint's owner. The clock itself
 * comes from the case history (the low CSAT); this event may arrive before or after the sla read
 * that, so the clocks are planned first and the follow-up period that started at the CSAT gets the owner.
 */
@Injectable()
export class FollowUpClocksService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly planner: ClockPlannerService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(batch: ConsumedEvent<FollowUpAssigned>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const todo = await claimFresh(
        manager,
        SLA_FOLLOW_UPS_CONSUMER,
        batch.map((e) => e.envelope),
        (e) => e.eventId,
      );
      if (todo.length === 0) return;
      const facts = await this.planner.loadFacts(manager, [...new Set(todo.map((e) => e.data.complaintId))]);
      for (const { data: f, eventId, correlationId } of todo) {
        const complaint = facts.get(f.complaintId);
        if (!complaint) {
          this.logger.warn(
            { complaintId: f.complaintId, correlationId },
            'follow-up for an unknown complaint',
          );
          continue;
        }
        await this.planner.write(
          manager,
          complaint,
          this.planner.plan(complaint, await this.planner.loadSteps(manager, f.complaintId)),
        );
        const [updated] = returnedRows<{ deadline: Date | null }>(
          await manager.query(
            `UPDATE sla_clocks SET owner_id = $3, team_id = $4, updated_at = now()
              WHERE complaint_id = $1 AND clock = 'csat-follow-up' AND started_at = $2 RETURNING deadline`,
            [f.complaintId, f.openedAt, f.ownerId, f.teamId],
          ),
        );
        const deadline = updated?.deadline;
        await appendHistory(manager, [
          {
            complaintId: f.complaintId,
            at: f.assignedAt,
            kind: 'clocks-updated',
            actor: 'sla',
            reason: deadline
              ? `follow-up clock runs for ${f.ownerName} until ${this.planner.calendar.format(new Date(deadline))}`
              : `no follow-up clock for the CSAT of ${f.openedAt}`,
            eventId,
            correlationId,
          },
        ]);
      }
    });
  }
}
