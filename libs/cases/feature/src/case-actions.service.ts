import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import {
  CaseEventEvent,
  encodeEvent,
  type CaseAction,
  type CaseEvent,
  type ComplaintLabel,
  type Priority,
} from '@klaxon/contracts';
import { decide, type CaseCommand, type CaseStatus } from '@klaxon/cases/domain';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory, appendToOutbox } from '@klaxon/platform/persistence';
import { forbidden } from '@klaxon/platform/auth';
import { ApiError, CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { checkLength, queueCustomerMessage, type Delivery } from './outgoing-messages';

export interface CaseActor {
  id: string;
  name: string;
  /** Who they are, for the actions only some may take (a follow-up: its owner or a lead). */
  kind?: 'user' | 'api-key';
  role?: string;
  memberId?: string;
}

export interface CaseActionResult {
  complaintId: string;
  status: CaseStatus;
  events: Array<{ caseEventId: string; action: CaseAction; at: string }>;
  /** For a reply or an acknowledgement with a text: how it reaches the customer (`email`, `x`, `manual` when we have no address). */
  delivery?: Delivery;
}

type ComplaintRow = {
  id: string;
  status: CaseStatus;
  channel: string;
  category: string | null;
  priority: Priority | null;
  complaint_label: ComplaintLabel | null;
  language: string | null;
  subject: string | null;
  customer: { name?: string; email?: string; handle?: string } | null;
  channel_meta: Record<string, unknown> | null;
  correlation_id: string | null;
};

/** What the customer said or was told, kept as the acting principal saw it. */
const CUSTOMER_ACTIONS: CaseAction[] = ['customer-replied', 'csat-received'];

/**
 * Handlers' actions on a complaint: checked against the case state machine under a row lock, then
 * the new state, a history entry naming who did it, the CaseEvent (outbox) and, for a reply, the
 * message to the customer are written in one transaction.
 */
@Injectable()
export class CaseActionsService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async act(complaintId: string, command: CaseCommand, actor: CaseActor): Promise<CaseActionResult> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query(
        `SELECT id, status, channel, category, priority, complaint_label, language, subject, customer, channel_meta, correlation_id
           FROM complaints WHERE id = $1 FOR UPDATE`,
        [complaintId],
      )) as ComplaintRow[];
      if (!row) throw ApiError.notFound('complaint', complaintId);
      if (command.action === 'reply') checkLength(row, command.message, command.mode);
      const followUp = command.action === 'follow-up' ? await this.openFollowUp(manager, complaintId) : null;
      if (followUp) mayCompleteFollowUp(followUp, actor);
      const decision = decide(
        {
          status: row.status,
          category: row.category,
          priority: row.priority,
          complaintLabel: row.complaint_label,
          openFollowUp: followUp?.id ?? null,
        },
        command,
      );
      if (!decision.ok) throw ApiError.conflict(decision.code, decision.message);

      const now = this.clock.now();
      const at = now.toISOString();
      await this.updateComplaint(manager, row, command, decision.status, decision.changes ?? {}, at);

      const events: CaseEvent[] = decision.events.map((action) => ({
        caseEventId: randomUUID(),
        complaintId,
        action,
        actor: {
          type:
            (CUSTOMER_ACTIONS.includes(action) || (action === 'reopened' && command.action === 'csat')) &&
            command.action !== 'follow-up'
              ? 'customer'
              : 'user',
          id: actor.id,
        },
        at,
        ...('message' in command && command.message ? { message: command.message } : {}),
        ...(command.action === 'resolve'
          ? { resolution: { founded: command.founded, summary: command.resolution } }
          : {}),
        ...(action === 'corrected' ? { correction: decision.changes } : {}),
        ...(action === 'csat-received' && command.action === 'csat'
          ? {
              csat: {
                score: command.score,
                ...(command.comment ? { comment: command.comment } : {}),
                ...(command.stillOpen ? { stillOpen: true } : {}),
              },
            }
          : {}),
        ...(command.action === 'follow-up' && followUp
          ? {
              followUp: {
                followUpId: followUp.id,
                outcome: command.outcome,
                ...(command.note ? { note: command.note } : {}),
              },
            }
          : {}),
      }));
      const correlationId = row.correlation_id ?? complaintId;
      await appendToOutbox(
        manager,
        events.map((e) =>
          encodeEvent(CaseEventEvent, e, { eventId: e.caseEventId, correlationId, occurredAt: at }),
        ),
      );
      await appendHistory(
        manager,
        events.map((e) => ({
          complaintId,
          at,
          kind: `case-${e.action}`,
          actor: actor.name,
          reason: reasonOf(command, row.status, decision.status),
          data: e,
          eventId: e.caseEventId,
          correlationId,
        })),
      );
      // A reply, and an acknowledgement with a text (the console's template), go to the customer on their channel.
      const delivery =
        command.action === 'reply' || (command.action === 'acknowledge' && command.message)
          ? await queueCustomerMessage(manager, row, {
              kind: command.action === 'reply' ? 'reply' : 'acknowledgement',
              dedupeKey:
                command.action === 'reply' ? events[0].caseEventId : `by-hand:${events[0].caseEventId}`,
              message: command.message!,
              ...(command.action === 'reply' && command.mode ? { mode: command.mode } : {}),
              author: actor.name,
              now,
            })
          : undefined;
      this.logger.info(
        { complaintId, correlationId, action: command.action, actor: actor.id, status: decision.status },
        'case action',
      );
      return {
        complaintId,
        status: decision.status,
        events: events.map((e) => ({ caseEventId: e.caseEventId, action: e.action, at })),
        ...(delivery ? { delivery } : {}),
      };
    });
  }

  private async updateComplaint(
    manager: EntityManager,
    row: ComplaintRow,
    command: CaseCommand,
    status: CaseStatus,
    changes: { category?: string; priority?: Priority; complaint?: ComplaintLabel },
    at: string,
  ): Promise<void> {
    const sets: string[] = ['status = $2', 'updated_at = $3'];
    const params: unknown[] = [row.id, status, at];
    const set = (column: string, value: unknown) => sets.push(`${column} = $${params.push(value)}`);
    switch (command.action) {
      case 'acknowledge':
        sets.push('acknowledged_at = COALESCE(acknowledged_at, $3)');
        break;
      case 'reply':
        sets.push(
          'acknowledged_at = COALESCE(acknowledged_at, $3)',
          'first_response_at = COALESCE(first_response_at, $3)',
        );
        break;
      case 'resolve':
        sets.push(
          'resolved_at = $3',
          'acknowledged_at = COALESCE(acknowledged_at, $3)',
          'first_response_at = COALESCE(first_response_at, $3)',
        );
        set('founded', command.founded);
        set('resolution', command.resolution);
        break;
      case 'reopen':
        sets.push('resolved_at = NULL', 'closed_at = NULL');
        break;
      case 'follow-up':
        if (command.outcome === 'reopened') sets.push('resolved_at = NULL', 'closed_at = NULL');
        break;
      case 'hand-back':
        sets.push('owner_id = NULL', 'owner_name = NULL', 'assigned_at = NULL');
        break;
      case 'correct':
        if (changes.category !== undefined) set('category', changes.category);
        if (changes.priority !== undefined) set('priority', changes.priority);
        if (changes.complaint !== undefined) set('complaint_label', changes.complaint);
        break;
      case 'csat':
        set('csat_score', command.score);
        set('csat_comment', command.comment ?? null);
        if (command.stillOpen) sets.push('resolved_at = NULL', 'closed_at = NULL');
        else sets.push('closed_at = $3');
        break;
      default:
        break;
    }
    await manager.query(`UPDATE complaints SET ${sets.join(', ')} WHERE id = $1`, params);
  }

  /**
   * The complaint's follow-up still waiting for an outcome. The router records outcomes as it reads the
   * case events, so one already given (in this complaint's history) counts as given: under the row lock,
   * a second outcome is refused even before the router caught up.
   */
  private async openFollowUp(
    manager: EntityManager,
    complaintId: string,
  ): Promise<{ id: string; ownerId: string | null; ownerName: string | null } | null> {
    const [f] = (await manager.query(
      `SELECT f.id, f.owner_id, f.owner_name FROM follow_ups f
        WHERE f.complaint_id = $1 AND f.status = 'open'
          AND NOT EXISTS (SELECT 1 FROM complaint_history h WHERE h.complaint_id = $1 AND h.kind LIKE 'case-%' AND h.data->'followUp'->>'followUpId' = f.id)`,
      [complaintId],
    )) as Array<{ id: string; owner_id: string | null; owner_name: string | null }>;
    return f ? { id: f.id, ownerId: f.owner_id, ownerName: f.owner_name } : null;
  }
}

/** A follow-up is its owner's to complete; a team lead or an admin may too, and machines (API keys). */
function mayCompleteFollowUp(
  f: { ownerId: string | null; ownerName: string | null },
  actor: CaseActor,
): void {
  if (actor.kind !== 'user') return;
  if (actor.memberId && actor.memberId === f.ownerId) return;
  if (actor.role === 'team-lead' || actor.role === 'admin') return;
  throw forbidden(`This follow-up is ${f.ownerName ?? 'someone else'}’s to complete (or a team lead’s)`);
}

function reasonOf(command: CaseCommand, from: CaseStatus, to: CaseStatus): string {
  const detail =
    command.action === 'resolve'
      ? `${command.founded ? 'founded' : 'not founded'}: ${command.resolution}`
      : command.action === 'reopen' || command.action === 'hand-back'
        ? command.reason
        : command.action === 'correct'
          ? (command.reason ?? 'corrected')
          : command.action === 'csat'
            ? `score ${command.score}${command.stillOpen ? ', customer says it is still open' : ''}`
            : command.action === 'follow-up'
              ? `${command.outcome}${command.note ? `: ${command.note}` : ''}`
              : undefined;
  return `${command.action} (${from} → ${to})${detail ? `: ${detail}` : ''}`;
}
