import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ComplaintAssigned } from '@klaxon/contracts';
import {
  chooseOwner,
  compareQueued,
  decideTeam,
  escalationsFor,
  type RoutingRequest,
  type TeamMember,
} from '@klaxon/routing/domain';
import { linkCustomers, newId, openRepeatCounts, setCustomers } from './customer-linker';
import { RootCauseDetector } from './root-cause-detector';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';
import {
  addLoad,
  countLoads,
  enqueue,
  executiveId,
  loadRoutingConfig,
  lockMembers,
  writeOwners,
  type OwnerWrite,
} from './routing.repository';
import { RoutingWork, groupByTeam, take, type Routable, type RouteResult } from './routing-work';

/**
 * Chooses the owner of new complaints, in the caller's transaction: decide the team by the rules in
 * force, lock that team's members, pick per complaint (highest priority, then oldest first), write the
 * owner only where none is set yet, count the load, link the customer, and record the reason, the
 * escalations (authority, reputational risk, repeat complainants) and the events. What finds nobody
 * available waits in the team queue.
 */
@Injectable()
export class NewComplaintRouting {
  constructor(
    @Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions,
    private readonly rootCauses: RootCauseDetector,
  ) {}

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
    const work = new RoutingWork();
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
      take(choice.member, r.req.channel, now);
      if (choice.exceedsAuthority) exceeds.add(r.item.complaintId);
      writes.push({
        requiredAuthority: r.team.requiredAuthority,
        customerId: customers.get(r.item.complaintId),
        data: assignedData(r.item, r.team.teamId, choice.member, now, {
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
      work.recordAssignment(w.data, 'assigned', actor, item.causeId, item.correlationId, now);
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
          work.escalate(
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
          work.escalate(
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
    for (const i of sorted) this.rootCauses.markDirty(i.category);
    await work.flush(manager);
    return result;
  }
}

function assignedData(
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
