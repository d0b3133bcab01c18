import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { CaseEvent } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, claimFresh } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { ROUTER_CONSUMER } from './assign-owners.service';
import { FollowUps } from './follow-ups';
import { Reassignments } from './reassignments';
import { addLoad, countLoads } from './routing.repository';
import { SignalsService } from './signals.service';
import { TeamQueue } from './team-queue';

export const ROUTER_CASES_CONSUMER = `${ROUTER_CONSUMER}-cases`;

/**
 * What handlers do to a complaint changes who can take the next one: resolving frees capacity (the
 * team queue is offered at once), reopening takes it again, handing back gives it to someone else,
 * a correction of a signal into a complaint routes it, and a low CSAT gets a follow-up owner.
 */
@Injectable()
export class CaseEventsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly reassignments: Reassignments,
    private readonly queue: TeamQueue,
    private readonly signals: SignalsService,
    private readonly followUps: FollowUps,
  ) {}

  async handle(batch: ConsumedEvent<CaseEvent>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const todo = (await claimFresh(manager, ROUTER_CASES_CONSUMER, batch, (e) => e.envelope.eventId)).map(
        (e) => e.envelope,
      );
      if (todo.length === 0) return;
      const now = this.clock.now();
      const ids = [...new Set(todo.map((e) => e.data.complaintId))];
      const rows = (await manager.query(
        'SELECT id, owner_id, last_owner_id, team_id, status FROM complaints WHERE id = ANY($1) FOR UPDATE',
        [ids],
      )) as Array<{
        id: string;
        owner_id: string | null;
        last_owner_id: string | null;
        team_id: string | null;
        status: string;
      }>;
      const byId = new Map(rows.map((r) => [r.id, r]));
      const load = new Map<string, number>();
      const freedTeams = new Set<string>();
      for (const e of todo) {
        const row = byId.get(e.data.complaintId);
        if (!row) {
          this.logger.warn(
            { complaintId: e.data.complaintId, action: e.data.action },
            'case event for an unknown complaint; ignored by the router',
          );
          continue;
        }
        if (e.data.action === 'resolved' && row.owner_id) {
          countLoads([row.owner_id], -1, load);
          if (row.team_id) freedTeams.add(row.team_id);
        } else if (e.data.action === 'reopened' && row.owner_id) {
          countLoads([row.owner_id], 1, load);
        } else if (e.data.action === 'handed-back') {
          // The case action may already have released it (owner cleared, status queued); last_owner_id keeps who had it.
          const from = row.owner_id ?? row.last_owner_id;
          if (!from) continue;
          const result = await this.reassignments.reassign(
            manager,
            [
              {
                complaintId: row.id,
                fromOwnerId: from,
                cause: 'handed-back',
                causeId: e.eventId,
                actor: `${e.data.actor.type}:${e.data.actor.id}`,
                note: e.data.message?.slice(0, 200),
              },
            ],
            now,
          );
          row.owner_id = result.assigned[0]?.ownerId ?? null;
        } else if (
          e.data.action === 'corrected' &&
          row.status === 'signal' &&
          e.data.correction?.complaint &&
          e.data.correction.complaint !== 'none'
        ) {
          await this.signals.promoteInTransaction(
            manager,
            row.id,
            {
              label: e.data.correction.complaint,
              category: e.data.correction.category,
              priority: e.data.correction.priority,
            },
            `${e.data.actor.type}:${e.data.actor.id}`,
            e.eventId,
            now,
            false,
          );
          row.status = 'assigned';
        }
      }
      await addLoad(manager, load);
      await this.followUps.handle(
        manager,
        todo.filter((e) => FollowUps.concerns(e.data)),
        now,
      );
      if (freedTeams.size) await this.queue.dequeue(manager, now, [...freedTeams]);
    });
  }
}
