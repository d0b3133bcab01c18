import { csatAsksForFollowUp, type CaseAction, type SlaClockKind } from '@klaxon/contracts';
import type { BusinessCalendar } from './calendar';
import {
  POLICY_CLOCKS,
  computeClock,
  csatFollowUpSpec,
  selectPolicy,
  type Pause,
  type PolicyFacts,
  type SlaPolicy,
  type TimeBasis,
} from './policy';

/** Which clocks a handler's action meets. */
export const ACTION_MEETS: Partial<Record<CaseAction, SlaClockKind[]>> = {
  acknowledged: ['acknowledgement'],
  responded: ['acknowledgement', 'first-response'],
  resolved: ['acknowledgement', 'first-response', 'resolution'],
};

/** The case's story as the sla stage needs it, oldest first. */
export interface CaseStep {
  at: Date;
  action: CaseAction | 'assigned';
  /** For `corrected`: the new facts. */
  correction?: Partial<Pick<PolicyFacts, 'priority' | 'category'>>;
  /** For `csat-received`. */
  csatScore?: number;
  /** For `csat-received`: the customer said it is still open. */
  csatStillOpen?: boolean;
  /** The action completed the open follow-up (a senior recorded its outcome). */
  followUpDone?: boolean;
}

export type PlannedStatus = 'running' | 'paused' | 'met';

export interface PlannedClock {
  clock: SlaClockKind;
  policy: string;
  time: TimeBasis;
  startedAt: Date;
  deadline: Date | null;
  warnAt: Date | null;
  status: PlannedStatus;
  metAt: Date | null;
}

/**
 * Replays a complaint's history into the clocks it should have now: the policy follows the latest
 * priority/category, waiting on the customer pauses the clocks still running, an action meets the
 * clocks it satisfies, a reopen restarts the resolution clock's count (its paused time still
 * excluded), a low CSAT (or "still open") opens the follow-up clock unless one is running, and the
 * follow-up's outcome meets it. The same code computes the first deadlines, so a recomputation after
 * a correction is consistent with them.
 */
export function planClocks(input: {
  policies: readonly SlaPolicy[];
  calendar: BusinessCalendar;
  facts: PolicyFacts;
  receivedAt: Date;
  history: readonly CaseStep[];
}): PlannedClock[] {
  const facts = { ...input.facts };
  const steps = [...input.history].sort((a, b) => a.at.getTime() - b.at.getTime());
  const pauses: Pause[] = [];
  const met = new Map<SlaClockKind, Date>();
  let followUp: { startedAt: Date; metAt: Date | null } | null = null;
  let resolutionStartedAt = input.receivedAt;
  for (const step of steps) {
    switch (step.action) {
      case 'corrected':
        if (step.correction?.priority) facts.priority = step.correction.priority;
        if (step.correction?.category) facts.category = step.correction.category;
        break;
      case 'waiting-on-customer':
        if (!pauses.some((p) => !p.to)) pauses.push({ from: step.at });
        break;
      case 'customer-replied': {
        const open = pauses.find((p) => !p.to);
        if (open) open.to = step.at;
        break;
      }
      case 'reopened':
        met.delete('resolution');
        resolutionStartedAt = step.at;
        break;
      case 'assigned':
        if (!met.has('owner')) met.set('owner', step.at);
        break;
      case 'csat-received':
        if (
          step.csatScore !== undefined &&
          csatAsksForFollowUp({ score: step.csatScore, stillOpen: step.csatStillOpen }) &&
          (!followUp || followUp.metAt)
        )
          followUp = { startedAt: step.at, metAt: null };
        break;
      default:
        break;
    }
    for (const clock of ACTION_MEETS[step.action as CaseAction] ?? [])
      if (!met.has(clock)) met.set(clock, step.at);
    if (step.followUpDone && followUp && !followUp.metAt) followUp.metAt = step.at;
  }
  const policy = selectPolicy(input.policies, facts);
  const open = pauses.some((p) => !p.to);
  const planned: PlannedClock[] = POLICY_CLOCKS.map((clock) => {
    const pausable = clock === 'first-response' || clock === 'resolution';
    const startedAt = clock === 'resolution' ? resolutionStartedAt : input.receivedAt;
    const times = computeClock(clock, policy.clocks[clock], startedAt, input.calendar, {
      warnAtShare: policy.warnAtShare,
      pauses: pausable ? pauses : [],
    });
    const metAt = met.get(clock) ?? null;
    const status: PlannedStatus = metAt ? 'met' : pausable && open ? 'paused' : 'running';
    return {
      clock,
      policy: policy.id,
      time: times.time,
      startedAt,
      deadline: times.deadline,
      warnAt: times.warnAt,
      status,
      metAt,
    };
  });
  if (followUp) {
    const t = computeClock('csat-follow-up', csatFollowUpSpec(policy), followUp.startedAt, input.calendar, {
      warnAtShare: policy.warnAtShare,
    });
    planned.push({
      clock: 'csat-follow-up',
      policy: policy.id,
      time: t.time,
      startedAt: followUp.startedAt,
      deadline: t.deadline,
      warnAt: t.warnAt,
      status: followUp.metAt ? 'met' : 'running',
      metAt: followUp.metAt,
    });
  }
  return planned;
}
