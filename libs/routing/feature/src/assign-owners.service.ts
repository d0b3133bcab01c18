import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  ComplaintAssignedEvent,
  ComplaintEscalatedEvent,
  encodeEvent,
  type ComplaintAssigned,
  type ComplaintClassified,
  type ComplaintEscalated,
  type EncodedEvent,
  type EventEnvelope,
} from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, appendToOutbox, claimEvents, returnedRows, type HistoryEntry } from '@klaxon/platform/persistence';
import { CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { chooseOwner, escalationsFor, matchRule, type RoutingRequest, type TeamMember } from '@klaxon/routing/domain';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';

export const ROUTER_CONSUMER = 'klaxon-router';

type MemberRow = { id: string; team_id: string; name: string; role: TeamMember['role']; skills: TeamMember['skills']; capacity: number; open_count: number; last_assigned_at: Date | null; active: boolean };
const PRIORITY_ORDER = { critical: 0, high: 1, normal: 2 } as const;

/**
 * Gives each classified complaint exactly one owner, in one transaction per batch. The team's member
 * rows are locked for the batch, and an owner is only written where none is set yet, so several
 * router replicas never assign one complaint twice.
 */
@Injectable()
export class AssignOwnersService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(batch: ConsumedEvent<ComplaintClassified>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const fresh = await claimEvents(manager, ROUTER_CONSUMER, batch.map((e) => e.envelope.eventId));
      const todo = batch.map((e) => e.envelope).filter((e) => fresh.has(e.eventId));
      if (todo.length === 0) return;
      const now = this.clock.now();
      const history: HistoryEntry[] = [];
      const events: EncodedEvent[] = [];

      // Not a complaint: kept and searchable as a signal, never assigned, no clocks.
      for (const e of todo.filter((x) => x.data.complaint === 'none')) {
        history.push({ complaintId: e.data.complaintId, at: now, kind: 'not-routed', actor: 'router', reason: 'classified as not a complaint; kept as a signal', eventId: e.eventId, correlationId: e.correlationId });
      }
      const complaints = todo
        .filter((x) => x.data.complaint !== 'none')
        .sort((a, b) => PRIORITY_ORDER[a.data.priority] - PRIORITY_ORDER[b.data.priority] || a.data.receivedAt.localeCompare(b.data.receivedAt));

      const { rules, defaultTeamId, teams } = this.options.organisation;
      const routed = complaints.map((e) => {
        const req: RoutingRequest = { complaintId: e.data.complaintId, category: e.data.category, channel: e.data.channel, language: e.data.language, priority: e.data.priority, unit: e.data.unit };
        const rule = matchRule(rules, req);
        return { e, req, teamId: rule?.teamId ?? defaultTeamId, ruleId: rule?.id ?? 'default-team' };
      });
      const members = await this.lockMembers(manager, [...new Set(routed.map((r) => r.teamId))]);

      const assigned: Array<{ e: EventEnvelope<ComplaintClassified>; data: ComplaintAssigned }> = [];
      const queued: typeof routed = [];
      for (const r of routed) {
        const choice = chooseOwner(members.filter((m) => m.teamId === r.teamId), r.req);
        if (!choice.member) {
          queued.push(r);
          continue;
        }
        choice.member.openCount += 1;
        choice.member.lastAssignedAt = now;
        assigned.push({
          e: r.e,
          data: {
            complaintId: r.e.data.complaintId,
            channel: r.e.data.channel,
            category: r.e.data.category,
            priority: r.e.data.priority,
            receivedAt: r.e.data.receivedAt,
            assignedAt: now.toISOString(),
            teamId: r.teamId,
            ownerId: choice.member.id,
            ownerName: choice.member.name,
            reason: { rule: r.ruleId, candidates: choice.candidates.map((c) => ({ memberId: c.memberId, load: c.load })), chosenBecause: choice.chosenBecause },
          },
        });
      }

      const written = await this.writeOwners(manager, assigned.map((a) => a.data));
      const loads = new Map<string, number>();
      for (const a of assigned) {
        if (!written.has(a.data.complaintId)) continue; // already owned: exactly one owner, always
        loads.set(a.data.ownerId, (loads.get(a.data.ownerId) ?? 0) + 1);
        history.push({ complaintId: a.data.complaintId, at: now, kind: 'assigned', actor: 'router', reason: `${a.data.ownerName} (${a.data.teamId}): ${a.data.reason.chosenBecause}`, data: a.data.reason, eventId: a.e.eventId, correlationId: a.e.correlationId });
        events.push(encodeEvent(ComplaintAssignedEvent, a.data, { eventId: `${a.data.complaintId}:assigned:${a.e.eventId}`, correlationId: a.e.correlationId, causationId: a.e.eventId }));
      }
      await this.addLoad(manager, loads, now);
      if (queued.length) {
        await manager.query(
          `UPDATE complaints c SET status = 'queued', team_id = q.team_id, updated_at = now()
             FROM jsonb_to_recordset($1::jsonb) AS q(id text, team_id text) WHERE c.id = q.id AND c.owner_id IS NULL`,
          [JSON.stringify(queued.map((q) => ({ id: q.e.data.complaintId, team_id: q.teamId })))],
        );
        for (const q of queued) {
          history.push({ complaintId: q.e.data.complaintId, at: now, kind: 'queued', actor: 'router', reason: `nobody in ${q.teamId} is available; waiting in the team queue`, data: { rule: q.ruleId }, eventId: q.e.eventId, correlationId: q.e.correlationId });
        }
      }

      // Escalations: reputational risk and repeat complainants, counted across channels.
      const repeats = await this.recentComplaintCounts(manager, routed.map((r) => r.e.data));
      for (const r of routed) {
        const team = teams.find((t) => t.id === r.teamId);
        const found = escalationsFor({ reputationalRisk: r.e.data.reputationalRisk, recentComplaintsOfCustomer: repeats.get(r.e.data.complaintId) ?? 1, exceedsAuthority: false }, this.options.escalation);
        for (const esc of found) {
          const data: ComplaintEscalated = { complaintId: r.e.data.complaintId, trigger: esc.trigger, level: esc.level, teamId: r.teamId, ...(esc.level === 'team-lead' && team ? { escalatedTo: team.leadId } : {}), reason: esc.reason, escalatedAt: now.toISOString() };
          const eventId = `${data.complaintId}:escalated:${esc.trigger}:${esc.level}`;
          history.push({ complaintId: data.complaintId, at: now, kind: 'escalated', actor: 'router', reason: `${esc.trigger} → ${esc.level}: ${esc.reason}`, data, eventId, correlationId: r.e.correlationId });
          events.push(encodeEvent(ComplaintEscalatedEvent, data, { eventId, correlationId: r.e.correlationId, causationId: r.e.eventId }));
        }
      }

      await appendHistory(manager, history);
      await appendToOutbox(manager, events);
      this.logger.debug({ assigned: written.size, queued: queued.length, signals: todo.length - complaints.length }, 'routed batch');
    });
  }

  private async lockMembers(manager: EntityManager, teamIds: string[]): Promise<TeamMember[]> {
    if (teamIds.length === 0) return [];
    const rows = (await manager.query('SELECT * FROM team_members WHERE team_id = ANY($1) ORDER BY id FOR UPDATE', [teamIds])) as MemberRow[];
    return rows.map((m) => ({
      id: m.id,
      teamId: m.team_id,
      name: m.name,
      role: m.role,
      skills: m.skills,
      capacity: Number(m.capacity),
      openCount: Number(m.open_count),
      lastAssignedAt: m.last_assigned_at ? new Date(m.last_assigned_at) : null,
      available: m.active,
    }));
  }

  /** Sets the owner only where there is none: the database is the arbiter of "exactly one owner". */
  private async writeOwners(manager: EntityManager, assigned: ComplaintAssigned[]): Promise<Set<string>> {
    if (assigned.length === 0) return new Set();
    const rows = returnedRows<{ id: string }>(await manager.query(
      `UPDATE complaints c SET owner_id = a.owner_id, owner_name = a.owner_name, team_id = a.team_id, assignment_reason = a.reason,
              assigned_at = a.assigned_at, status = 'assigned', updated_at = now()
         FROM jsonb_to_recordset($1::jsonb) AS a(id text, owner_id text, owner_name text, team_id text, reason jsonb, assigned_at timestamptz)
        WHERE c.id = a.id AND c.owner_id IS NULL
        RETURNING c.id`,
      [JSON.stringify(assigned.map((a) => ({ id: a.complaintId, owner_id: a.ownerId, owner_name: a.ownerName, team_id: a.teamId, reason: a.reason, assigned_at: a.assignedAt })))],
    ));
    return new Set(rows.map((r) => r.id));
  }

  private async addLoad(manager: EntityManager, loads: Map<string, number>, at: Date): Promise<void> {
    if (loads.size === 0) return;
    await manager.query(
      `UPDATE team_members m SET open_count = m.open_count + l.n, last_assigned_at = $2
         FROM jsonb_to_recordset($1::jsonb) AS l(id text, n int) WHERE m.id = l.id`,
      [JSON.stringify([...loads].map(([id, n]) => ({ id, n }))), at.toISOString()],
    );
  }

  /** Complaints of the same customer (any identity in common) in the window, this one included. */
  private async recentComplaintCounts(manager: EntityManager, complaints: ComplaintClassified[]): Promise<Map<string, number>> {
    const withIdentity = complaints.filter((c) => c.customer.email || c.customer.phone || c.customer.customerNumber || c.customer.handle);
    if (withIdentity.length === 0) return new Map();
    const rows = (await manager.query(
      `SELECT r.id, count(DISTINCT o.id)::int AS n
         FROM jsonb_to_recordset($1::jsonb) AS r(id text, email text, phone text, customer_number text, handle text, received_at timestamptz)
         JOIN complaints o ON o.received_at > r.received_at - make_interval(days => $2) AND o.received_at <= r.received_at
          AND coalesce(o.complaint_label, 'explicit') <> 'none'
          AND ((r.email IS NOT NULL AND o.customer->>'email' = r.email) OR (r.phone IS NOT NULL AND o.customer->>'phone' = r.phone)
            OR (r.customer_number IS NOT NULL AND o.customer->>'customerNumber' = r.customer_number) OR (r.handle IS NOT NULL AND o.customer->>'handle' = r.handle))
        GROUP BY r.id`,
      [
        JSON.stringify(withIdentity.map((c) => ({ id: c.complaintId, email: c.customer.email ?? null, phone: c.customer.phone ?? null, customer_number: c.customer.customerNumber ?? null, handle: c.customer.handle ?? null, received_at: c.receivedAt }))),
        this.options.escalation.repeatWindowDays,
      ],
    )) as Array<{ id: string; n: number }>;
    return new Map(rows.map((r) => [r.id, Number(r.n)]));
  }
}
