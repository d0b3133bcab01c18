import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  FollowUpAssignedEvent,
  csatAsksForFollowUp,
  encodeEvent,
  type CaseEvent,
  type EventEnvelope,
  type FollowUpAssigned,
} from '@klaxon/contracts';
import { appendHistory, appendToOutbox, returnedRows } from '@klaxon/platform/persistence';
import { chooseFollowUpOwner } from '@klaxon/routing/domain';
import { newId } from './customer-linker';
import { loadRoutingConfig, readMembers, readMembersById } from './routing.repository';

/**
 * The follow-up a low CSAT (3 or lower, or "still open") asks for: given to a senior handler of the
 * complaint's team (else its team lead), recorded with the reason, and announced as FollowUpAssigned
 * (the sla stage runs its clock under that owner). The complaint keeps its own owner. A follow-up is
 * completed by a case action (the cases stage), whose event carries `followUp`.
 */
@Injectable()
export class FollowUps {
  /** Whether this case event asks for a follow-up or completes one. */
  static concerns(e: CaseEvent): boolean {
    return (e.action === 'csat-received' && !!e.csat && csatAsksForFollowUp(e.csat)) || !!e.followUp;
  }

  /** In the caller's transaction, in the events' order; a redelivered event changes nothing. */
  async handle(manager: EntityManager, events: Array<EventEnvelope<CaseEvent>>, now: Date): Promise<void> {
    for (const e of events) {
      if (e.data.followUp) await this.complete(manager, e.data);
      else if (e.data.action === 'csat-received' && e.data.csat && csatAsksForFollowUp(e.data.csat))
        await this.open(manager, e, now);
    }
  }

  private async open(manager: EntityManager, e: EventEnvelope<CaseEvent>, now: Date): Promise<void> {
    const ev = e.data;
    const [row] = (await manager.query('SELECT id, team_id, correlation_id FROM complaints WHERE id = $1', [
      ev.complaintId,
    ])) as Array<{ id: string; team_id: string | null; correlation_id: string | null }>;
    if (!row) return;
    const [open] = (await manager.query(
      `SELECT id FROM follow_ups WHERE complaint_id = $1 AND status = 'open'`,
      [ev.complaintId],
    )) as unknown[];
    if (open) return; // one open follow-up per complaint: a second low score adds to the same one
    const config = await loadRoutingConfig(manager);
    const teamId = row.team_id ?? config.defaultTeamId;
    const leadId = config.teams.find((t) => t.id === teamId)?.leadId;
    const team = await readMembers(manager, [teamId], now);
    const [lead] = leadId ? await readMembersById(manager, [leadId], now) : [];
    const counts = (await manager.query(
      `SELECT owner_id, count(*)::int AS n FROM follow_ups WHERE status = 'open' AND owner_id = ANY($1) GROUP BY owner_id`,
      [[...team.map((m) => m.id), ...(lead ? [lead.id] : [])]],
    )) as Array<{ owner_id: string; n: number }>;
    const choice = chooseFollowUpOwner(team, lead, new Map(counts.map((c) => [c.owner_id, c.n])), now);
    const score = ev.csat!.score;
    const asked = ev.csat!.stillOpen
      ? `customer says it is still open (CSAT ${score})`
      : `CSAT ${score} (3 or lower)`;
    const reason = choice.member
      ? `${asked}: follow-up by ${choice.member.name} (${choice.role}): ${choice.chosenBecause}`
      : `${asked}: nobody to give the follow-up to: ${choice.chosenBecause}`;
    const id = newId('fu');
    const inserted = returnedRows<{ id: string }>(
      await manager.query(
        `INSERT INTO follow_ups (id, complaint_id, team_id, owner_id, owner_name, owner_role, reason, csat_score, still_open, opened_at, assigned_at, cause_event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING RETURNING id`,
        [
          id,
          ev.complaintId,
          teamId,
          choice.member?.id ?? null,
          choice.member?.name ?? null,
          choice.role,
          reason,
          score,
          ev.csat!.stillOpen === true,
          ev.at,
          now.toISOString(),
          e.eventId,
        ],
      ),
    );
    if (!inserted.length) return;
    const correlationId = row.correlation_id ?? ev.complaintId;
    await appendHistory(manager, [
      {
        complaintId: ev.complaintId,
        at: now,
        kind: 'follow-up-opened',
        actor: 'router',
        reason,
        data: { followUpId: id, ownerId: choice.member?.id ?? null, role: choice.role, teamId },
        eventId: e.eventId,
        correlationId,
      },
    ]);
    if (!choice.member) return;
    const data: FollowUpAssigned = {
      followUpId: id,
      complaintId: ev.complaintId,
      kind: 'low-csat',
      teamId,
      ownerId: choice.member.id,
      ownerName: choice.member.name,
      ownerRole: choice.role!,
      openedAt: new Date(ev.at).toISOString(),
      assignedAt: now.toISOString(),
      reason,
      csatScore: score,
      ...(ev.csat!.stillOpen ? { stillOpen: true } : {}),
    };
    await appendToOutbox(manager, [
      encodeEvent(FollowUpAssignedEvent, data, {
        eventId: `${ev.complaintId}:follow-up:${id}`,
        correlationId,
        causationId: e.eventId,
      }),
    ]);
  }

  /** The outcome the cases stage accepted: the follow-up is done (once; a replay finds it completed). */
  private async complete(manager: EntityManager, ev: CaseEvent): Promise<void> {
    const f = ev.followUp!;
    await manager.query(
      `UPDATE follow_ups SET status = 'completed', outcome = $2, note = $3, completed_at = $4, completed_by = $5
        WHERE id = $1 AND complaint_id = $6 AND status = 'open'`,
      [f.followUpId, f.outcome, f.note ?? null, ev.at, `${ev.actor.type}:${ev.actor.id}`, ev.complaintId],
    );
  }
}
