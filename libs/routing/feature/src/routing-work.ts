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
import type { Escalation, RoutingRequest, TeamMember } from '@klaxon/routing/domain';
import type { RoutingConfig } from './routing.repository';

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

/** A complaint's row as reassignment and the team queue read it. */
export type ComplaintRow = {
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

export const requestOf = (r: ComplaintRow, requiredAuthority?: number): RoutingRequest => ({
  complaintId: r.id,
  channel: r.channel,
  category: r.category ?? UNCATEGORISED,
  language: r.language ?? 'und',
  priority: r.priority ?? 'normal',
  requiredAuthority: requiredAuthority ?? Number(r.required_authority ?? 0),
});

export function groupByTeam(members: TeamMember[]): Map<string, TeamMember[]> {
  const out = new Map<string, TeamMember[]>();
  for (const m of members) out.set(m.teamId, [...(out.get(m.teamId) ?? []), m]);
  return out;
}

/** Counts a complaint the member just took, so the next choice in the same batch sees it. */
export function take(member: TeamMember, channel: string, now: Date): void {
  member.openCount += 1;
  member.lastAssignedAt = now;
  if (member.openByChannel) member.openByChannel[channel] = (member.openByChannel[channel] ?? 0) + 1;
}

/**
 * What one routing transaction records: history rows and events, collected while deciding and
 * written together at the end (`flush`), in the caller's transaction.
 */
export class RoutingWork {
  readonly history: HistoryEntry[] = [];
  readonly events: EncodedEvent[] = [];

  recordAssignment(
    data: ComplaintAssigned,
    kind: string,
    actor: string,
    causeId: string,
    correlationId: string,
    now: Date,
  ): void {
    this.history.push({
      complaintId: data.complaintId,
      at: now,
      kind,
      actor,
      reason: `${data.ownerName} (${data.teamId}): ${data.reason.chosenBecause}`,
      data: { ownerId: data.ownerId, teamId: data.teamId, ...data.reason },
      eventId: causeId,
      correlationId,
    });
    this.events.push(
      encodeEvent(ComplaintAssignedEvent, data, {
        eventId: `${data.complaintId}:assigned:${causeId}`,
        correlationId,
        causationId: causeId,
      }),
    );
  }

  escalate(
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
    this.history.push({
      complaintId,
      at: now,
      kind: 'escalated',
      actor,
      reason: `${esc.trigger} → ${esc.level}${to ? ` (${to})` : ''}: ${esc.reason}`,
      data,
      eventId,
      correlationId,
    });
    this.events.push(
      encodeEvent(ComplaintEscalatedEvent, data, { eventId, correlationId, causationId: causeId }),
    );
    return data;
  }

  async flush(manager: EntityManager): Promise<void> {
    await appendHistory(manager, this.history);
    await appendToOutbox(manager, this.events);
  }
}
