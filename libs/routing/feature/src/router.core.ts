import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  ComplaintAssignedEvent,
  ComplaintEscalatedEvent,
  UNCATEGORISED,
  encodeEvent,
  type Channel,
  type ComplaintAssigned,
  type ComplaintEscalated,
  type CustomerIdentity,
  type EncodedEvent,
  type Priority,
} from '@klaxon/contracts';
import { appendHistory, appendToOutbox, type HistoryEntry } from '@klaxon/platform/persistence';
import {
  PRIORITY_RANK,
  chooseOwner,
  compareQueued,
  decideTeam,
  detectSpike,
  escalationsFor,
  reviewDue,
  isAbsentAt,
  type Escalation,
  type RoutingRequest,
  type TeamMember,
} from '@klaxon/routing/domain';
import { linkCustomers, newId, openRepeatCounts, setCustomers } from './customer-linker';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';
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
  type RoutingConfig,
} from './routing.repository';
import { CLOSED_STATUSES, iso } from './routing.rows';

function groupByTeam(members: TeamMember[]): Map<string, TeamMember[]> {
  const out = new Map<string, TeamMember[]>();
  for (const m of members) out.set(m.teamId, [...(out.get(m.teamId) ?? []), m]);
  return out;
}

/** A complaint as the router needs it, from a ComplaintClassified event or from its row. */
export interface Routable {
  complaintId: string;
  channel: Channel;
  category: string;
  language: string;
  priority: Priority;
  receivedAt: string;
  reputationalRisk: boolean;
  reach?: number;
  customer: CustomerIdentity;
  unit?: string;
  requiredAuthority?: number;
  /** What caused this routing: the event (or action) id, for idempotent history and event ids. */
  causeId: string;
  correlationId: string;
}

export interface RouteResult {
  assigned: ComplaintAssigned[];
  queued: string[];
  escalations: ComplaintEscalated[];
}

interface Work {
  history: HistoryEntry[];
  events: EncodedEvent[];
}

/** Open complaints of a member that are to be given to someone else. */
export interface Reassignment {
  complaintId: string;
  fromOwnerId: string;
  /** Why: `owner-absent`, `handed-back`, `needs-authority`, `manual`. */
  cause: 'owner-absent' | 'handed-back' | 'needs-authority' | 'manual';
  /** Give it straight to this member (an absence's replacement, or an admin's pick) when they can take complaints at all. */
  toMemberId?: string;
  requiredAuthority?: number;
  causeId: string;
  actor: string;
  note?: string;
}

type ComplaintRow = {
  id: string;
  channel: Channel;
  category: string | null;
  language: string | null;
  priority: Priority | null;
  received_at: Date | string;
  required_authority: number;
  team_id: string | null;
  owner_id: string | null;
  correlation_id: string | null;
  status: string;
};

const requestOf = (r: ComplaintRow, requiredAuthority?: number): RoutingRequest => ({
  complaintId: r.id,
  channel: r.channel,
  category: r.category ?? UNCATEGORISED,
  language: r.language ?? 'und',
  priority: r.priority ?? 'normal',
  requiredAuthority: requiredAuthority ?? Number(r.required_authority ?? 0),
});

/**
 * The router's one way of giving complaints an owner, in the caller's transaction: decide the team by
 * the rules in force, lock that team's members, pick per complaint (highest priority, then oldest
 * first), write the owner only where the expected owner is still in place, count the load, and
 * record the reason, the escalations and the events.
 */
@Injectable()
export class RouterCore {
  constructor(@Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions) {}

  async routeNew(
    manager: EntityManager,
    items: Routable[],
    now: Date,
    actor = 'router',
  ): Promise<RouteResult> {
    const result: RouteResult = { assigned: [], queued: [], escalations: [] };
    // A complaint classified again (a correction, a replay under another event id) keeps its owner.
    const owned = items.length
      ? new Set(
          (
            (await manager.query('SELECT id FROM complaints WHERE id = ANY($1) AND owner_id IS NOT NULL', [
              items.map((i) => i.complaintId),
            ])) as Array<{ id: string }>
          ).map((r) => r.id),
        )
      : new Set<string>();
    const sorted = items.filter((i) => !owned.has(i.complaintId)).sort(compareQueued);
    if (sorted.length === 0) return result;
    const work: Work = { history: [], events: [] };
    const config = await loadRoutingConfig(manager);

    const customers = await linkCustomers(manager, sorted, this.options);
    const routed = sorted.map((item) => {
      const req: RoutingRequest = {
        complaintId: item.complaintId,
        category: item.category,
        channel: item.channel,
        language: item.language,
        priority: item.priority,
        unit: item.unit,
        requiredAuthority: item.requiredAuthority,
      };
      const team = decideTeam(config, req);
      return { item, req: { ...req, requiredAuthority: team.requiredAuthority }, team };
    });
    const executive = await executiveId(manager);
    const members = await lockMembers(manager, [...new Set(routed.map((r) => r.team.teamId))], now);

    const writes: OwnerWrite[] = [];
    const exceeds = new Set<string>();
    const toQueue: Array<{
      id: string;
      teamId: string;
      requiredAuthority: number;
      customerId?: string;
      ruleId: string;
      why: string;
      item: Routable;
    }> = [];
    const byTeam = groupByTeam(members);
    for (const r of routed) {
      const choice = chooseOwner(byTeam.get(r.team.teamId) ?? [], r.req, now);
      if (!choice.member) {
        toQueue.push({
          id: r.item.complaintId,
          teamId: r.team.teamId,
          requiredAuthority: r.team.requiredAuthority,
          customerId: customers.get(r.item.complaintId),
          ruleId: r.team.ruleId,
          why: choice.chosenBecause,
          item: r.item,
        });
        continue;
      }
      this.take(choice.member, r.req.channel, now);
      if (choice.exceedsAuthority) exceeds.add(r.item.complaintId);
      writes.push({
        requiredAuthority: r.team.requiredAuthority,
        customerId: customers.get(r.item.complaintId),
        data: this.assignedData(r.item, r.team.teamId, choice.member, now, {
          rule: `${r.team.ruleId}@v${config.rulesVersion}`,
          candidates: choice.candidates,
          chosenBecause: choice.chosenBecause,
        }),
      });
    }
    const written = await writeOwners(manager, writes);
    const byId = new Map(sorted.map((i) => [i.complaintId, i]));
    for (const w of writes.filter((x) => written.has(x.data.complaintId))) {
      const item = byId.get(w.data.complaintId)!;
      this.recordAssignment(work, w.data, 'assigned', actor, item.causeId, item.correlationId, now);
      result.assigned.push(w.data);
    }
    await addLoad(
      manager,
      countLoads(writes.filter((x) => written.has(x.data.complaintId)).map((x) => x.data.ownerId)),
      now,
    );
    const queued = await enqueue(manager, toQueue);
    // Whose row neither write touched (another router owns it meanwhile) still gets its customer.
    await setCustomers(
      manager,
      new Map([...customers].filter(([id]) => !written.has(id) && !queued.has(id))),
    );
    // Counted once every complaint of the batch carries its customer.
    const repeats = await openRepeatCounts(
      manager,
      [...new Set(customers.values())],
      this.options.escalation.repeatWindowDays,
      this.options.escalation.repeatCount,
    );
    for (const q of toQueue) {
      work.history.push({
        complaintId: q.id,
        at: now,
        kind: 'queued',
        actor,
        reason: `waiting in the ${q.teamId} queue: ${q.why}`,
        data: { teamId: q.teamId, rule: q.ruleId },
        eventId: q.item.causeId,
        correlationId: q.item.correlationId,
      });
      result.queued.push(q.id);
    }
    for (const [complaintId, customerId] of customers) {
      const item = byId.get(complaintId)!;
      work.history.push({
        complaintId,
        at: now,
        kind: 'customer-linked',
        actor,
        reason: `customer ${customerId}`,
        data: { customerId },
        eventId: item.causeId,
        correlationId: item.correlationId,
      });
    }

    // Escalations: authority, reputational risk, repeat complainants counted across channels by linked identities.
    // Complaints of one customer may be routed out of order (other partitions, other routers): every open,
    // not yet escalated complaint of the customers touched is recounted, so the one that is the Nth in time
    // is escalated whichever arrived last.
    for (const r of routed) {
      const found = escalationsFor(
        {
          reputationalRisk: r.item.reputationalRisk,
          reach: r.item.channel === 'social' ? r.item.reach : undefined,
          recentComplaintsOfCustomer: repeats.get(r.item.complaintId)?.n ?? 1,
          exceedsAuthority: exceeds.has(r.item.complaintId),
          requiredAuthority: r.team.requiredAuthority,
        },
        this.options.escalation,
      );
      for (const esc of found)
        result.escalations.push(
          this.escalate(
            work,
            config,
            r.item.complaintId,
            r.team.teamId,
            esc,
            executive,
            actor,
            r.item.causeId,
            r.item.correlationId,
            now,
          ),
        );
    }
    for (const [complaintId, other] of repeats) {
      if (byId.has(complaintId) || !other.teamId) continue;
      for (const esc of escalationsFor(
        { reputationalRisk: false, recentComplaintsOfCustomer: other.n, exceedsAuthority: false },
        this.options.escalation,
      )) {
        const causeId =
          sorted.find((i) => customers.get(i.complaintId) === other.customerId)?.causeId ?? newId('rpt');
        result.escalations.push(
          this.escalate(
            work,
            config,
            complaintId,
            other.teamId,
            esc,
            executive,
            actor,
            causeId,
            other.correlationId ?? complaintId,
            now,
          ),
        );
      }
    }
    for (const i of sorted) this.dirtyCategories.add(i.category);
    await this.flush(manager, work);
    return result;
  }

  /**
   * Gives open complaints to someone else (absence, hand-back, authority, an admin's choice): the named
   * member if they can take complaints at all, else the best available member of the team other than the
   * previous owner, else the team queue. The previous owner's load goes down; the history says why.
   */
  async reassign(manager: EntityManager, items: Reassignment[], now: Date): Promise<RouteResult> {
    const result: RouteResult = { assigned: [], queued: [], escalations: [] };
    if (items.length === 0) return result;
    const work: Work = { history: [], events: [] };
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
            this.escalate(
              work,
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
      this.take(owner, row.channel, now);
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
          this.escalate(
            work,
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
    await this.flush(manager, work);
    return result;
  }

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
    const work: Work = { history: [], events: [] };
    const writes: OwnerWrite[] = [];
    const executive = await executiveId(manager);
    const escalate: Array<{ row: ComplaintRow; amount: number; causeId: string }> = [];
    const causes = new Map<string, string>();
    const byTeam = groupByTeam(members);
    for (const row of rows) {
      const req = requestOf(row);
      const choice = chooseOwner(byTeam.get(row.team_id!) ?? [], req, now);
      if (!choice.member) continue;
      this.take(choice.member, row.channel, now);
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
      this.recordAssignment(
        work,
        w.data,
        'assigned',
        'router',
        causes.get(w.data.complaintId)!,
        row.correlation_id ?? row.id,
        now,
      );
    }
    for (const e of escalate.filter((x) => written.has(x.row.id))) {
      this.escalate(
        work,
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
    await this.flush(manager, work);
    return done.map((w) => w.data);
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

  private take(member: TeamMember, channel: string, now: Date): void {
    member.openCount += 1;
    member.lastAssignedAt = now;
    if (member.openByChannel) member.openByChannel[channel] = (member.openByChannel[channel] ?? 0) + 1;
  }

  private assignedData(
    item: Routable,
    teamId: string,
    owner: TeamMember,
    now: Date,
    reason: ComplaintAssigned['reason'],
  ): ComplaintAssigned {
    return {
      complaintId: item.complaintId,
      channel: item.channel,
      category: item.category,
      priority: item.priority,
      receivedAt: item.receivedAt,
      assignedAt: now.toISOString(),
      teamId,
      ownerId: owner.id,
      ownerName: owner.name,
      reason,
    };
  }

  private recordAssignment(
    work: Work,
    data: ComplaintAssigned,
    kind: string,
    actor: string,
    causeId: string,
    correlationId: string,
    now: Date,
  ): void {
    work.history.push({
      complaintId: data.complaintId,
      at: now,
      kind,
      actor,
      reason: `${data.ownerName} (${data.teamId}): ${data.reason.chosenBecause}`,
      data: { ownerId: data.ownerId, teamId: data.teamId, ...data.reason },
      eventId: causeId,
      correlationId,
    });
    work.events.push(
      encodeEvent(ComplaintAssignedEvent, data, {
        eventId: `${data.complaintId}:assigned:${causeId}`,
        correlationId,
        causationId: causeId,
      }),
    );
  }

  private escalate(
    work: Work,
    config: RoutingConfig,
    complaintId: string,
    teamId: string,
    esc: Escalation,
    executive: string | undefined,
    actor: string,
    causeId: string,
    correlationId: string,
    now: Date,
  ): ComplaintEscalated {
    const lead = config.teams.find((t) => t.id === teamId)?.leadId;
    const to = esc.level === 'team-lead' ? lead : executive;
    const data: ComplaintEscalated = {
      complaintId,
      trigger: esc.trigger,
      level: esc.level,
      teamId,
      ...(to ? { escalatedTo: to } : {}),
      reason: esc.reason,
      escalatedAt: now.toISOString(),
    };
    const eventId = `${complaintId}:escalated:${esc.trigger}:${esc.level}`;
    work.history.push({
      complaintId,
      at: now,
      kind: 'escalated',
      actor,
      reason: `${esc.trigger} → ${esc.level}${to ? ` (${to})` : ''}: ${esc.reason}`,
      data,
      eventId,
      correlationId,
    });
    work.events.push(
      encodeEvent(ComplaintEscalatedEvent, data, { eventId, correlationId, causationId: causeId }),
    );
    return data;
  }

  /** Categories routed since the last root-cause pass (per process; the scheduler drains it). */
  private readonly dirtyCategories = new Set<string>();

  markDirty(category: string): void {
    this.dirtyCategories.add(category);
  }

  /** The categories whose counts changed since the last call, forgotten once taken. */
  takeDirtyCategories(): string[] {
    const out = [...this.dirtyCategories];
    this.dirtyCategories.clear();
    return out;
  }

  /**
   * Opens a root-cause review at N complaints of a category in the window, and flags a spike against its
   * usual rate. Runs in the scheduler's pass, not in the routing transaction, so counting never slows
   * assignment down; a per-category lock keeps two routers from flagging one spike twice.
   */
  async checkRootCauses(manager: EntityManager, categories: string[], now: Date): Promise<number> {
    if (categories.length === 0) return 0;
    const p = this.options.rootCause;
    const windowStart = new Date(now.getTime() - p.reviewWindowDays * 86_400_000);
    const spikeStart = new Date(now.getTime() - p.spikeWindowHours * 3_600_000);
    const baselineStart = new Date(spikeStart.getTime() - p.baselineDays * 86_400_000);
    const sorted = [...categories].sort();
    await manager.query(
      `SELECT count(pg_advisory_xact_lock(hashtextextended('root-cause:' || c, 7401))) FROM (SELECT c FROM unnest($1::text[]) AS c ORDER BY c) s`,
      [sorted],
    );
    const rows = (await manager.query(
      `SELECT k.category,
              (SELECT count(*)::int FROM complaints c WHERE c.category = k.category AND c.received_at > $2 AND c.received_at <= $5 AND coalesce(c.complaint_label, 'explicit') <> 'none') AS in_window,
              (SELECT count(*)::int FROM complaints c WHERE c.category = k.category AND c.received_at > $3 AND c.received_at <= $5 AND coalesce(c.complaint_label, 'explicit') <> 'none') AS recent,
              (SELECT count(*)::int FROM complaints c WHERE c.category = k.category AND c.received_at > $4 AND c.received_at <= $3 AND coalesce(c.complaint_label, 'explicit') <> 'none') AS baseline,
              EXISTS (SELECT 1 FROM root_cause_items r WHERE r.category = k.category AND r.kind = 'review' AND r.status = 'open') AS open_review,
              EXISTS (SELECT 1 FROM root_cause_items r WHERE r.category = k.category AND r.kind = 'spike' AND r.opened_at > $3) AS recent_spike
         FROM unnest($1::text[]) AS k(category)`,
      [
        sorted,
        windowStart.toISOString(),
        spikeStart.toISOString(),
        baselineStart.toISOString(),
        now.toISOString(),
      ],
    )) as Array<{
      category: string;
      in_window: number;
      recent: number;
      baseline: number;
      open_review: boolean;
      recent_spike: boolean;
    }>;
    let opened = 0;
    for (const r of rows) {
      if (reviewDue(r.in_window, r.open_review, p)) {
        const ids = (
          (await manager.query(
            `SELECT id FROM complaints WHERE category = $1 AND received_at > $2 AND received_at <= $3 AND coalesce(complaint_label, 'explicit') <> 'none' ORDER BY received_at, id LIMIT 1000`,
            [r.category, windowStart.toISOString(), now.toISOString()],
          )) as Array<{ id: string }>
        ).map((x) => x.id);
        await manager.query(
          `INSERT INTO root_cause_items (id, kind, category, opened_at, window_start, complaint_count, complaint_ids, reason)
           VALUES ($1, 'review', $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [
            newId('rca'),
            r.category,
            now.toISOString(),
            windowStart.toISOString(),
            r.in_window,
            JSON.stringify(ids),
            `${r.in_window} ${r.category} complaints within ${p.reviewWindowDays} days`,
          ],
        );
        opened += 1;
      }
      const spike = detectSpike(r.recent, r.baseline, p);
      if (spike.spike && !r.recent_spike) {
        await manager.query(
          `INSERT INTO root_cause_items (id, kind, category, opened_at, window_start, complaint_count, expected, reason) VALUES ($1, 'spike', $2, $3, $4, $5, $6, $7)`,
          [
            newId('spk'),
            r.category,
            now.toISOString(),
            spikeStart.toISOString(),
            r.recent,
            spike.expected,
            `spike: ${spike.reason}`,
          ],
        );
        opened += 1;
      }
    }
    return opened;
  }

  private async flush(manager: EntityManager, work: Work): Promise<void> {
    await appendHistory(manager, work.history);
    await appendToOutbox(manager, work.events);
  }
}
