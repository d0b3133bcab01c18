import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { UNCATEGORISED, type CaseAction, type Channel, type Priority } from '@klaxon/contracts';
import { BusinessCalendar, planClocks, type CaseStep, type PlannedClock } from '@klaxon/sla/domain';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

type FactsRow = {
  id: string;
  channel: Channel;
  category: string | null;
  priority: Priority | null;
  received_at: Date;
  owner_id: string | null;
  team_id: string | null;
  assigned_at: Date | null;
};
type StepRow = {
  complaint_id: string;
  at: Date;
  kind: string;
  data: {
    action?: CaseAction;
    correction?: { priority?: Priority; category?: string };
    csat?: { score: number; stillOpen?: boolean };
    followUp?: { followUpId: string };
  } | null;
};

export interface ComplaintFacts {
  complaintId: string;
  channel: Channel;
  category: string;
  priority: Priority;
  receivedAt: Date;
  ownerId: string | null;
  teamId: string | null;
  assignedAt: Date | null;
}

/**
 * Recomputes a complaint's clocks from its history (the same domain code as the preview) and writes
 * them: running and paused clocks follow the plan, met clocks are kept met, breached ones stay
 * breached (a breach is a fact) but record when they were met.
 */
@Injectable()
export class ClockPlannerService {
  readonly calendar: BusinessCalendar;

  constructor(@Inject(SLA_OPTIONS) private readonly options: SlaOptions) {
    this.calendar = new BusinessCalendar(options.calendar);
  }

  async loadFacts(manager: EntityManager, complaintIds: string[]): Promise<Map<string, ComplaintFacts>> {
    const rows = (await manager.query(
      `SELECT id, channel, category, priority, received_at, owner_id, team_id, assigned_at FROM complaints WHERE id = ANY($1)`,
      [complaintIds],
    )) as FactsRow[];
    return new Map(
      rows.map((r) => [
        r.id,
        {
          complaintId: r.id,
          channel: r.channel,
          category: r.category ?? UNCATEGORISED,
          priority: r.priority ?? 'normal',
          receivedAt: new Date(r.received_at),
          ownerId: r.owner_id,
          teamId: r.team_id,
          assignedAt: r.assigned_at ? new Date(r.assigned_at) : null,
        },
      ]),
    );
  }

  async loadSteps(manager: EntityManager, complaintId: string): Promise<CaseStep[]> {
    return (await this.loadStepsMany(manager, [complaintId])).get(complaintId)!;
  }

  /** The case steps of several complaints in one query; every id gets an entry (possibly empty). */
  async loadStepsMany(manager: EntityManager, complaintIds: string[]): Promise<Map<string, CaseStep[]>> {
    const steps = new Map(complaintIds.map((id) => [id, [] as CaseStep[]]));
    const rows = (await manager.query(
      // Complaint by complaint through the history index: with statistics lagging a fast-growing table
      // the planner preferred scanning all history for an ANY list.
      `SELECT h.complaint_id, h.at, h.kind, h.data
         FROM unnest($1::text[]) AS k(id)
         CROSS JOIN LATERAL (SELECT * FROM complaint_history x WHERE x.complaint_id = k.id AND x.kind LIKE 'case-%' OFFSET 0) h
        ORDER BY h.complaint_id, h.at, h.id`,
      [[...steps.keys()]],
    )) as StepRow[];
    for (const r of rows)
      steps
        .get(r.complaint_id)
        ?.push(
          stepOf(
            new Date(r.at),
            (r.data?.action ?? r.kind.replace(/^case-/, '')) as CaseAction,
            r.data ?? {},
          ),
        );
    return steps;
  }

  plan(facts: ComplaintFacts, steps: CaseStep[]): PlannedClock[] {
    const history = facts.assignedAt
      ? [...steps, { at: facts.assignedAt, action: 'assigned' as const }]
      : steps;
    return planClocks({
      policies: this.options.policies,
      calendar: this.calendar,
      facts: { priority: facts.priority, channel: facts.channel, category: facts.category },
      receivedAt: facts.receivedAt,
      history,
    });
  }

  /** Writes the plan; pending escalations of clocks that are now met are cancelled. */
  async write(manager: EntityManager, facts: ComplaintFacts, planned: PlannedClock[]): Promise<void> {
    await this.writeMany(manager, [{ facts, planned }]);
  }

  /** Writes the plans of several distinct complaints in two statements (see `write`). */
  async writeMany(
    manager: EntityManager,
    plans: Array<{ facts: ComplaintFacts; planned: PlannedClock[] }>,
  ): Promise<void> {
    if (plans.length === 0) return;
    const rows = plans.flatMap(({ facts, planned }) =>
      planned.map((c) => {
        // Met after its deadline is a breach (the scheduler may not have seen it running, e.g. the owner clock).
        const late = c.status === 'met' && c.metAt && c.deadline && c.metAt.getTime() > c.deadline.getTime();
        return {
          complaintId: facts.complaintId,
          clock: c.clock,
          policy: c.policy,
          timeBasis: c.time,
          startedAt: c.startedAt.toISOString(),
          deadline: c.deadline?.toISOString() ?? null,
          warnAt: c.warnAt?.toISOString() ?? null,
          status: late ? 'breached' : c.status,
          metAt: c.metAt?.toISOString() ?? null,
          breachedAt: late ? c.deadline!.toISOString() : null,
          ownerId: facts.ownerId ?? null,
          teamId: facts.teamId ?? null,
        };
      }),
    );
    // Columns as typed arrays (unnest): the clocks are the rows the SLA service writes most.
    await manager.query(
      `INSERT INTO sla_clocks AS s (complaint_id, clock, policy, time_basis, started_at, deadline, warn_at, status, met_at, breached_at, owner_id, team_id)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[],
                            $9::timestamptz[], $10::timestamptz[], $11::text[], $12::text[])
       ON CONFLICT (complaint_id, clock) DO UPDATE SET
         policy = EXCLUDED.policy, time_basis = EXCLUDED.time_basis,
         -- a follow-up's owner is the senior the router named (FollowUpAssigned), not the complaint's owner
         owner_id = CASE WHEN s.clock = 'csat-follow-up' AND EXCLUDED.started_at = s.started_at THEN s.owner_id ELSE COALESCE(EXCLUDED.owner_id, s.owner_id) END,
         team_id = COALESCE(EXCLUDED.team_id, s.team_id),
         -- a met clock stays met unless it was restarted (a reopen starts a new resolution period)
         met_at = CASE WHEN EXCLUDED.started_at <> s.started_at THEN EXCLUDED.met_at ELSE COALESCE(s.met_at, EXCLUDED.met_at) END,
         started_at = CASE WHEN s.status = 'breached' AND EXCLUDED.started_at = s.started_at THEN s.started_at ELSE EXCLUDED.started_at END,
         deadline = CASE WHEN s.status IN ('breached', 'met') AND EXCLUDED.started_at = s.started_at THEN s.deadline ELSE EXCLUDED.deadline END,
         warn_at = CASE WHEN s.status IN ('breached', 'met') AND EXCLUDED.started_at = s.started_at THEN s.warn_at ELSE EXCLUDED.warn_at END,
         -- a restarted clock (reopen) may warn and breach again; a breach otherwise stays a breach
         warned_at = CASE WHEN EXCLUDED.started_at <> s.started_at THEN NULL ELSE s.warned_at END,
         breached_at = CASE WHEN EXCLUDED.started_at <> s.started_at THEN EXCLUDED.breached_at ELSE COALESCE(s.breached_at, EXCLUDED.breached_at) END,
         status = CASE WHEN s.status IN ('breached', 'met') AND EXCLUDED.started_at = s.started_at THEN s.status ELSE EXCLUDED.status END,
         updated_at = now()`,
      [
        rows.map((r) => r.complaintId),
        rows.map((r) => r.clock),
        rows.map((r) => r.policy),
        rows.map((r) => r.timeBasis),
        rows.map((r) => r.startedAt),
        rows.map((r) => r.deadline),
        rows.map((r) => r.warnAt),
        rows.map((r) => r.status),
        rows.map((r) => r.metAt),
        rows.map((r) => r.breachedAt),
        rows.map((r) => r.ownerId),
        rows.map((r) => r.teamId),
      ],
    );
    const met = plans.flatMap(({ facts, planned }) =>
      planned
        .filter((c) => c.status === 'met')
        .map((c) => ({ complaintId: facts.complaintId, clock: c.clock })),
    );
    if (met.length > 0) {
      await manager.query(
        `UPDATE sla_escalations SET status = 'cancelled'
          WHERE (complaint_id, clock) IN (SELECT * FROM unnest($1::text[], $2::text[])) AND status = 'pending'`,
        [met.map((m) => m.complaintId), met.map((m) => m.clock)],
      );
    }
  }
}

function stepOf(at: Date, action: CaseAction, data: NonNullable<StepRow['data']>): CaseStep {
  return {
    at,
    action,
    ...(data.correction
      ? {
          correction: {
            ...(data.correction.priority ? { priority: data.correction.priority } : {}),
            ...(data.correction.category ? { category: data.correction.category } : {}),
          },
        }
      : {}),
    ...(data.csat ? { csatScore: data.csat.score } : {}),
    ...(data.csat?.stillOpen ? { csatStillOpen: true } : {}),
    ...(data.followUp ? { followUpDone: true } : {}),
  };
}

/**
 * Splits a batch into rounds in which each complaint occurs at most once, keeping their order: a
 * complaint that occurs twice (say, reassigned) is planned again after its first plan is written.
 */
export function distinctRounds<T>(items: T[], complaintIdOf: (item: T) => string): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const item of items) {
    const id = complaintIdOf(item);
    const round = seen.get(id) ?? 0;
    seen.set(id, round + 1);
    (rounds[round] ??= []).push(item);
  }
  return rounds;
}

export function caseStepOf(event: {
  at: string;
  action: CaseAction;
  correction?: { priority?: Priority; category?: string };
  csat?: { score: number; stillOpen?: boolean };
  followUp?: { followUpId: string };
}): CaseStep {
  return stepOf(new Date(event.at), event.action, event);
}
