import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ComplaintAssignedEvent,
  UNCATEGORISED,
  encodeEvent,
  type ComplaintAssigned,
} from '@klaxon/contracts';
import {
  chooseOwner,
  compareQueued,
  isAbsentAt,
  type Escalation,
  type TeamMember,
} from '@klaxon/routing/domain';
import {
  addLoad,
  countLoads,
  enqueue,
  executiveId,
  loadRoutingConfig,
  lockMembers,
  lockMembersById,
  writeOwners,
  type OwnerWrite,
} from './routing.repository';
import { CLOSED_STATUSES, iso } from './routing.rows';
import {
  RoutingWork,
  requestOf,
  take,
  type ComplaintRow,
  type Reassignment,
  type RouteResult,
} from './routing-work';

/**
 * Gives open complaints that already had an owner to someone else: an absence (to the replacement),
 * a hand-back, a request for more authority, a lead's choice, a member switched off. In the caller's
 * transaction, compare-and-set on the previous owner, so a complaint moved meanwhile is left alone.
 */
@Injectable()
export class Reassignments {
  /**
   * Gives open complaints to someone else (absence, hand-back, authority, an admin's choice): the named
   * member if they can take complaints at all, else the best available member of the team other than the
   * previous owner, else the team queue. The previous owner's load goes down; the history says why.
   */
  async reassign(manager: EntityManager, items: Reassignment[], now: Date): Promise<RouteResult> {
    const result: RouteResult = { assigned: [], queued: [], escalations: [] };
    if (items.length === 0) return result;
    const work = new RoutingWork();
    const config = await loadRoutingConfig(manager);
    const rows = (await manager.query(`SELECT * FROM complaints WHERE id = ANY($1) ORDER BY id FOR UPDATE`, [
      items.map((i) => i.complaintId),
    ])) as ComplaintRow[];
    const rowById = new Map(rows.map((r) => [r.id, r]));
    // Still with that owner, or (hand-back) already released by the case action and waiting without one.
    const todo = items.filter((i) => {
      const row = rowById.get(i.complaintId);
      if (!row || CLOSED_STATUSES.includes(row.status)) return false;
      return row.owner_id === i.fromOwnerId || (i.cause === 'handed-back' && row.owner_id === null);
    });
    if (todo.length === 0) return result;
    const named = [...new Set(todo.map((i) => i.toMemberId).filter((x): x is string => !!x))];
    const teamIds = [
      ...new Set(todo.map((i) => rowById.get(i.complaintId)!.team_id ?? config.defaultTeamId)),
    ];
    const members = await lockMembers(manager, teamIds, now);
    for (const extra of await lockMembersById(
      manager,
      named.filter((id) => !members.some((m) => m.id === id)),
      now,
    ))
      members.push(extra);
    const executive = await executiveId(manager);

    const writes: OwnerWrite[] = [];
    const released = new Map<string, number>();
    const toQueue: Array<{ id: string; teamId: string; requiredAuthority: number }> = [];
    const ordered = [...todo].sort((a, b) =>
      compareQueued(
        {
          priority: rowById.get(a.complaintId)!.priority ?? 'normal',
          receivedAt: rowById.get(a.complaintId)!.received_at,
        },
        {
          priority: rowById.get(b.complaintId)!.priority ?? 'normal',
          receivedAt: rowById.get(b.complaintId)!.received_at,
        },
      ),
    );
    for (const it of ordered) {
      const row = rowById.get(it.complaintId)!;
      const teamId = row.team_id ?? config.defaultTeamId;
      const req = requestOf(row, it.requiredAuthority);
      const from = members.find((m) => m.id === it.fromOwnerId);
      const target = it.toMemberId ? members.find((m) => m.id === it.toMemberId) : undefined;
      const targetOk =
        !!target && target.id !== it.fromOwnerId && target.active && !isAbsentAt(target.absences, now);
      let owner: TeamMember | null = null;
      let reason: ComplaintAssigned['reason'];
      let exceeds = false;
      if (target && targetOk) {
        owner = target;
        reason = {
          rule: `reassigned:${it.cause}`,
          candidates: [{ memberId: target.id, load: target.openCount }],
          chosenBecause:
            it.cause === 'owner-absent'
              ? `replacement of ${from?.name ?? it.fromOwnerId} while absent`
              : `chosen by ${it.actor}`,
        };
      } else {
        const choice = chooseOwner(
          members.filter((m) => m.teamId === teamId && m.id !== it.fromOwnerId),
          req,
          now,
        );
        owner = choice.member;
        exceeds = choice.exceedsAuthority;
        reason = {
          rule: `reassigned:${it.cause}`,
          candidates: choice.candidates,
          chosenBecause: choice.chosenBecause,
        };
        if (it.cause === 'needs-authority' && (exceeds || !owner)) {
          // Nobody available may decide it: the owner keeps it and the team lead is asked.
          const esc: Escalation = {
            trigger: 'authority',
            level: 'team-lead',
            reason: `needs authority to grant €${req.requiredAuthority}; nobody available in ${teamId} may`,
          };
          result.escalations.push(
            work.escalate(
              config,
              it.complaintId,
              teamId,
              esc,
              executive,
              it.actor,
              it.causeId,
              row.correlation_id ?? it.complaintId,
              now,
            ),
          );
          await manager.query(
            'UPDATE complaints SET required_authority = $2, updated_at = now() WHERE id = $1',
            [it.complaintId, req.requiredAuthority ?? 0],
          );
          continue;
        }
      }
      countLoads([it.fromOwnerId], -1, released);
      if (from) from.openCount = Math.max(0, from.openCount - 1);
      if (!owner) {
        toQueue.push({ id: it.complaintId, teamId, requiredAuthority: req.requiredAuthority ?? 0 });
        work.history.push({
          complaintId: it.complaintId,
          at: now,
          kind: 'reassigned',
          actor: it.actor,
          reason: `${it.cause}${it.note ? ` (${it.note})` : ''}: taken from ${from?.name ?? it.fromOwnerId}; ${reason.chosenBecause}, waiting in the ${teamId} queue`,
          data: { from: it.fromOwnerId, to: null, cause: it.cause },
          eventId: it.causeId,
          correlationId: row.correlation_id,
        });
        result.queued.push(it.complaintId);
        continue;
      }
      take(owner, row.channel, now);
      const data: ComplaintAssigned = {
        complaintId: row.id,
        channel: row.channel,
        category: row.category ?? UNCATEGORISED,
        priority: row.priority ?? 'normal',
        receivedAt: iso(row.received_at),
        assignedAt: now.toISOString(),
        teamId: owner.teamId,
        ownerId: owner.id,
        ownerName: owner.name,
        reason,
      };
      writes.push({
        data,
        requiredAuthority: req.requiredAuthority ?? 0,
        expectedOwnerId: row.owner_id ?? undefined,
      });
      work.history.push({
        complaintId: row.id,
        at: now,
        kind: 'reassigned',
        actor: it.actor,
        reason: `${it.cause}${it.note ? ` (${it.note})` : ''}: from ${from?.name ?? it.fromOwnerId} to ${owner.name} (${owner.teamId}): ${reason.chosenBecause}`,
        data: {
          from: it.fromOwnerId,
          to: owner.id,
          ownerId: owner.id,
          teamId: owner.teamId,
          cause: it.cause,
          ...reason,
        },
        eventId: it.causeId,
        correlationId: row.correlation_id,
      });
      work.events.push(
        encodeEvent(ComplaintAssignedEvent, data, {
          eventId: `${row.id}:assigned:${it.causeId}`,
          correlationId: row.correlation_id ?? row.id,
          causationId: it.causeId,
        }),
      );
      if (exceeds) {
        const esc: Escalation = {
          trigger: 'authority',
          level: 'team-lead',
          reason: `needs authority to grant €${req.requiredAuthority}, more than ${owner.name} has`,
        };
        result.escalations.push(
          work.escalate(
            config,
            row.id,
            owner.teamId,
            esc,
            executive,
            it.actor,
            it.causeId,
            row.correlation_id ?? row.id,
            now,
          ),
        );
      }
    }
    const written = await writeOwners(manager, writes);
    result.assigned.push(...writes.filter((w) => written.has(w.data.complaintId)).map((w) => w.data));
    await addLoad(
      manager,
      countLoads(
        result.assigned.map((a) => a.ownerId),
        1,
        released,
      ),
      now,
    );
    if (toQueue.length) {
      await manager.query(
        `UPDATE complaints SET owner_id = NULL, owner_name = NULL, assigned_at = NULL, last_owner_id = NULL, updated_at = now() WHERE id = ANY($1)`,
        [toQueue.map((q) => q.id)],
      );
      await enqueue(manager, toQueue);
    }
    await work.flush(manager);
    return result;
  }

  /** Open complaints whose owner is absent now: to the absence's replacement, else back through the team. */
  async reassignFromAbsent(manager: EntityManager, now: Date, memberIds?: string[]): Promise<RouteResult> {
    const rows = (await manager.query(
      `SELECT c.id, c.owner_id, a.replacement_id, a.id AS absence_id FROM complaints c
         JOIN member_absences a ON a.member_id = c.owner_id AND a.starts_at <= $1 AND a.ends_at > $1
        WHERE c.owner_id IS NOT NULL AND c.status <> ALL($2) ${memberIds ? 'AND c.owner_id = ANY($3)' : ''}
        ORDER BY c.id LIMIT 500`,
      memberIds ? [now.toISOString(), CLOSED_STATUSES, memberIds] : [now.toISOString(), CLOSED_STATUSES],
    )) as Array<{ id: string; owner_id: string; replacement_id: string | null; absence_id: string }>;
    const seen = new Set<string>();
    const items: Reassignment[] = [];
    for (const r of rows) {
      if (seen.has(r.id)) continue;
      seen.add(r.id);
      items.push({
        complaintId: r.id,
        fromOwnerId: r.owner_id,
        cause: 'owner-absent',
        toMemberId: r.replacement_id ?? undefined,
        causeId: `absence:${r.absence_id}`,
        actor: 'router',
      });
    }
    return this.reassign(manager, items, now);
  }
}
