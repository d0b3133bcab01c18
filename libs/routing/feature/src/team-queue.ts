import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UNCATEGORISED, type ComplaintAssigned } from '@klaxon/contracts';
import { PRIORITY_RANK, chooseOwner } from '@klaxon/routing/domain';
import { newId } from './customer-linker';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';
import {
  addLoad,
  countLoads,
  executiveId,
  loadRoutingConfig,
  lockMembers,
  writeOwners,
  type OwnerWrite,
} from './routing.repository';
import { iso } from './routing.rows';
import { RoutingWork, groupByTeam, requestOf, take, type ComplaintRow } from './routing-work';

/** The team queues: complaints that found nobody available wait here until someone is. */
@Injectable()
export class TeamQueue {
  constructor(@Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions) {}

  /**
   * Offers waiting complaints (priority, then age) to the members available now: run when someone frees
   * up, comes on shift or comes back. Queued complaints are locked with SKIP LOCKED so parallel routers
   * share the queue instead of fighting over it. A complaint released by a hand-back (owner cleared,
   * `last_owner_id` still set) waits for the router's hand-back handling, which excludes the last owner.
   */
  async dequeue(manager: EntityManager, now: Date, teamIds?: string[]): Promise<ComplaintAssigned[]> {
    const teams = (
      (await manager.query(
        `SELECT DISTINCT team_id FROM complaints WHERE status = 'queued' AND owner_id IS NULL AND last_owner_id IS NULL AND team_id IS NOT NULL ${teamIds ? 'AND team_id = ANY($1)' : ''}`,
        teamIds ? [teamIds] : [],
      )) as Array<{ team_id: string }>
    ).map((t) => t.team_id);
    if (teams.length === 0) return [];
    const config = await loadRoutingConfig(manager);
    const members = await lockMembers(manager, teams, now);
    const rows = (await manager.query(
      `SELECT * FROM complaints WHERE status = 'queued' AND owner_id IS NULL AND last_owner_id IS NULL AND team_id = ANY($1)
        ORDER BY CASE priority WHEN 'critical' THEN ${PRIORITY_RANK.critical} WHEN 'high' THEN ${PRIORITY_RANK.high} ELSE ${PRIORITY_RANK.normal} END, received_at, id
        LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [teams, this.options.queueBatchSize],
    )) as ComplaintRow[];
    const work = new RoutingWork();
    const writes: OwnerWrite[] = [];
    const executive = await executiveId(manager);
    const escalate: Array<{ row: ComplaintRow; amount: number; causeId: string }> = [];
    const causes = new Map<string, string>();
    const byTeam = groupByTeam(members);
    for (const row of rows) {
      const req = requestOf(row);
      const choice = chooseOwner(byTeam.get(row.team_id!) ?? [], req, now);
      if (!choice.member) continue;
      take(choice.member, row.channel, now);
      const causeId = newId('deq');
      if (choice.exceedsAuthority) escalate.push({ row, amount: req.requiredAuthority ?? 0, causeId });
      writes.push({
        requiredAuthority: Number(row.required_authority ?? 0),
        data: {
          complaintId: row.id,
          channel: row.channel,
          category: row.category ?? UNCATEGORISED,
          priority: row.priority ?? 'normal',
          receivedAt: iso(row.received_at),
          assignedAt: now.toISOString(),
          teamId: row.team_id!,
          ownerId: choice.member.id,
          ownerName: choice.member.name,
          reason: {
            rule: 'queue',
            candidates: choice.candidates,
            chosenBecause: `from the ${row.team_id} queue (waited since ${iso(row.received_at)}): ${choice.chosenBecause}`,
          },
        },
      });
      causes.set(row.id, causeId);
    }
    const written = await writeOwners(manager, writes);
    const done = writes.filter((w) => written.has(w.data.complaintId));
    for (const w of done) {
      const row = rows.find((r) => r.id === w.data.complaintId)!;
      work.recordAssignment(
        w.data,
        'assigned',
        'router',
        causes.get(w.data.complaintId)!,
        row.correlation_id ?? row.id,
        now,
      );
    }
    for (const e of escalate.filter((x) => written.has(x.row.id))) {
      work.escalate(
        config,
        e.row.id,
        e.row.team_id!,
        {
          trigger: 'authority',
          level: 'team-lead',
          reason: `needs authority to grant €${e.amount}; nobody available may`,
        },
        executive,
        'router',
        e.causeId,
        e.row.correlation_id ?? e.row.id,
        now,
      );
    }
    await addLoad(manager, countLoads(done.map((w) => w.data.ownerId)), now);
    await work.flush(manager);
    return done.map((w) => w.data);
  }
}
