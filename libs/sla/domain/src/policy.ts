import {
  CLASSIFIED_CATEGORIES,
  PRIORITIES,
  isClassifiedCategory,
  type Channel,
  type ClassifiedCategory,
  type Priority,
  type SlaClockKind,
} from '@klaxon/contracts';
import type { BusinessCalendar } from './calendar';

/** Whether a clock counts opening hours only, or every hour of the day. */
export type TimeBasis = 'working' | 'wall';

/** How long a clock runs: a sum of the given parts, counted in working or wall time. */
export interface ClockSpec {
  minutes?: number;
  hours?: number;
  /** Whole working days (each `calendar.config.workingDayMs` of working time); only with `time: 'working'`. */
  workingDays?: number;
  time: TimeBasis;
}

/** The clocks a policy sets when a complaint gets an owner. */
export const POLICY_CLOCKS = ['acknowledgement', 'owner', 'first-response', 'resolution'] as const;
export type PolicyClock = (typeof POLICY_CLOCKS)[number];

export interface PolicyConditions {
  priority?: Priority[];
  channel?: Channel[];
  /** The taxonomy's categories; `validatePolicies` refuses any other. */
  category?: ClassifiedCategory[];
  segment?: string[];
}

export interface SlaPolicy {
  id: string;
  description?: string;
  /** Conditions that must all hold (an absent condition matches anything). Policies are tried in order. */
  when?: PolicyConditions;
  clocks: Record<PolicyClock, ClockSpec> & { 'csat-follow-up'?: ClockSpec };
  /** Share of the clock's time after which a warning fires (default 0.75). */
  warnAtShare?: number;
}

export interface PolicyFacts {
  priority: Priority;
  channel: Channel;
  /** What the complaint carries (from the bus or the database: an old value may be outside the taxonomy). */
  category: string;
  segment?: string;
}

export const DEFAULT_WARN_AT_SHARE = 0.75;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The first policy whose conditions all hold; throws when none does (ship a catch-all last). */
export function selectPolicy(policies: readonly SlaPolicy[], facts: PolicyFacts): SlaPolicy {
  const found = policies.find((p) => matches(p.when, facts));
  if (!found)
    throw new Error(
      `no SLA policy matches priority=${facts.priority} channel=${facts.channel} category=${facts.category}`,
    );
  return found;
}

/**
 * Problems with configured policies: conditions on a category or priority outside the taxonomy would
 * never hold, and the complaints they were written for would fall to a later policy.
 */
export function validatePolicies(policies: readonly SlaPolicy[]): string[] {
  const problems: string[] = [];
  policies.forEach((p, i) => {
    (p.when?.category ?? []).forEach((c: unknown, j) => {
      if (!isClassifiedCategory(c))
        problems.push(
          `policies[${i}] (${p.id}).when.category[${j}]: unknown category ${JSON.stringify(c)} (the taxonomy: ${CLASSIFIED_CATEGORIES.join(', ')})`,
        );
    });
    (p.when?.priority ?? []).forEach((v: unknown, j) => {
      if (!(PRIORITIES as readonly unknown[]).includes(v))
        problems.push(
          `policies[${i}] (${p.id}).when.priority[${j}]: unknown priority ${JSON.stringify(v)} (${PRIORITIES.join(', ')})`,
        );
    });
  });
  return problems;
}

function matches(when: PolicyConditions | undefined, facts: PolicyFacts): boolean {
  if (!when) return true;
  const test = <T>(allowed: readonly T[] | undefined, value: T | undefined) =>
    !allowed || (value !== undefined && allowed.includes(value));
  return (
    test(when.priority, facts.priority) &&
    test(when.channel, facts.channel) &&
    test(when.category, facts.category) &&
    test(when.segment, facts.segment)
  );
}

/** A clock's length in ms of its own time basis. */
export function clockDurationMs(spec: ClockSpec, calendar: BusinessCalendar): number {
  if (spec.workingDays && spec.time !== 'working')
    throw new Error('workingDays only make sense for a working-time clock');
  return (
    (spec.minutes ?? 0) * MINUTE +
    (spec.hours ?? 0) * HOUR +
    (spec.workingDays ?? 0) * calendar.config.workingDayMs
  );
}

/** Adds `ms` of the given time basis to an instant. */
export function addTime(basis: TimeBasis, calendar: BusinessCalendar, start: Date, ms: number): Date {
  return basis === 'working' ? calendar.addWorkingTime(start, ms) : new Date(start.getTime() + ms);
}

/** Time of the given basis that passed between two instants. */
export function timeBetween(basis: TimeBasis, calendar: BusinessCalendar, a: Date, b: Date): number {
  return basis === 'working' ? calendar.workingTimeBetween(a, b) : b.getTime() - a.getTime();
}

/** A stretch when a clock stood still (waiting on the customer); `to` absent = still waiting. */
export interface Pause {
  from: Date;
  to?: Date;
}

export interface ClockTimes {
  clock: SlaClockKind;
  time: TimeBasis;
  durationMs: number;
  startedAt: Date;
  /** null while the clock is paused (the customer has not answered yet). */
  deadline: Date | null;
  warnAt: Date | null;
  /** Time of the clock's basis used up before the (open) pause; equals the elapsed time at `deadline`'s computation. */
  consumedMs: number;
}

/**
 * When a clock of `durationMs` started at `startedAt` runs out, given the stretches it was paused.
 * Paused time does not count; an open pause leaves the deadline unknown (null) until it ends.
 */
export function deadlineWithPauses(
  basis: TimeBasis,
  calendar: BusinessCalendar,
  startedAt: Date,
  durationMs: number,
  pauses: readonly Pause[] = [],
): { deadline: Date | null; consumedMs: number } {
  const sorted = [...pauses]
    .filter((p) => !p.to || p.to.getTime() > startedAt.getTime())
    .sort((a, b) => a.from.getTime() - b.from.getTime());
  let remaining = durationMs;
  let segmentStart = startedAt;
  for (const pause of sorted) {
    const pauseFrom = pause.from.getTime() < segmentStart.getTime() ? segmentStart : pause.from;
    const available = timeBetween(basis, calendar, segmentStart, pauseFrom);
    if (remaining <= available)
      return { deadline: addTime(basis, calendar, segmentStart, remaining), consumedMs: durationMs };
    remaining -= Math.max(0, available);
    if (!pause.to) return { deadline: null, consumedMs: durationMs - remaining };
    if (pause.to.getTime() > segmentStart.getTime()) segmentStart = pause.to;
  }
  return { deadline: addTime(basis, calendar, segmentStart, remaining), consumedMs: durationMs - remaining };
}

/** One clock's start, deadline and warning moment under a spec, with pauses. */
export function computeClock(
  clock: SlaClockKind,
  spec: ClockSpec,
  startedAt: Date,
  calendar: BusinessCalendar,
  options: { warnAtShare?: number; pauses?: readonly Pause[] } = {},
): ClockTimes {
  const durationMs = clockDurationMs(spec, calendar);
  const share = options.warnAtShare ?? DEFAULT_WARN_AT_SHARE;
  if (!(share > 0 && share < 1)) throw new Error(`warnAtShare must be between 0 and 1, got ${share}`);
  const full = deadlineWithPauses(spec.time, calendar, startedAt, durationMs, options.pauses);
  const warn = deadlineWithPauses(
    spec.time,
    calendar,
    startedAt,
    Math.round(durationMs * share),
    options.pauses,
  );
  return {
    clock,
    time: spec.time,
    durationMs,
    startedAt,
    deadline: full.deadline,
    warnAt: warn.deadline,
    consumedMs: full.consumedMs,
  };
}

export interface Deadline {
  clock: PolicyClock;
  time: TimeBasis;
  durationMs: number;
  startedAt: Date;
  deadline: Date;
  warnAt: Date;
}

/**
 * The deadlines a policy sets for a complaint received at `receivedAt`: acknowledgement, owner,
 * first response and resolution, each in its own time basis, with its warning moment.
 */
export function computeDeadlines(
  policy: SlaPolicy,
  receivedAt: Date,
  calendar: BusinessCalendar,
): Deadline[] {
  return POLICY_CLOCKS.map((clock) => {
    const t = computeClock(clock, policy.clocks[clock], receivedAt, calendar, {
      warnAtShare: policy.warnAtShare,
    });
    return {
      clock,
      time: t.time,
      durationMs: t.durationMs,
      startedAt: receivedAt,
      deadline: t.deadline!,
      warnAt: t.warnAt!,
    };
  });
}

const ACK: ClockSpec = { hours: 1, time: 'wall' };
const OWNER: ClockSpec = { hours: 2, time: 'wall' };
/** 48 hours counted in the business calendar: two working days (weekends and holidays do not count). */
const CSAT_FOLLOW_UP: ClockSpec = { workingDays: 2, time: 'working' };

/**
 * The shipped policies (tried in order). Acknowledgement and owner are automatic, so they run in wall
 * time; critical complaints are answered around the clock; everything else counts working time.
 */
export const DEFAULT_POLICIES: SlaPolicy[] = [
  {
    id: 'critical',
    description: 'critical: first response within 1 hour, resolution within 2 working days',
    when: { priority: ['critical'] },
    clocks: {
      acknowledgement: ACK,
      owner: OWNER,
      'first-response': { hours: 1, time: 'wall' },
      resolution: { workingDays: 2, time: 'working' },
      'csat-follow-up': CSAT_FOLLOW_UP,
    },
  },
  {
    id: 'high',
    description: 'high: first response within 24 hours, resolution within 5 working days',
    when: { priority: ['high'] },
    clocks: {
      acknowledgement: ACK,
      owner: OWNER,
      'first-response': { hours: 24, time: 'wall' },
      resolution: { workingDays: 5, time: 'working' },
      'csat-follow-up': CSAT_FOLLOW_UP,
    },
  },
  {
    id: 'normal',
    description: 'normal: first response within 3 working days, resolution within 10 working days',
    clocks: {
      acknowledgement: ACK,
      owner: OWNER,
      'first-response': { workingDays: 3, time: 'working' },
      resolution: { workingDays: 10, time: 'working' },
      'csat-follow-up': CSAT_FOLLOW_UP,
    },
  },
];

/** The CSAT follow-up clock (a senior handler answers a low score), from the policy or two working days. */
export function csatFollowUpSpec(policy: SlaPolicy): ClockSpec {
  return policy.clocks['csat-follow-up'] ?? CSAT_FOLLOW_UP;
}
