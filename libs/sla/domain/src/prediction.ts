/** What the router and team leads know about a team's queue right now. */
export interface QueueState {
  /** Open complaints ahead of this one in the owner's (or team's) queue. */
  queueAhead: number;
  /** How many complaints the people working the queue handle in parallel (sum of capacities of active members). */
  parallelCapacity: number;
  /** Recent handling times (ms from assignment to first response / resolution) in this team. */
  recentHandlingMs: number[];
}

export interface BreachPrediction {
  atRisk: boolean;
  /** When we expect the clock to be met at the current pace. */
  expectedAt: Date;
  reason: string;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Flags a clock as at risk before its warning would fire: with the queue ahead of it worked off at
 * the team's pace (p75 of recent handling times, spread over the parallel capacity), would it be met
 * before its deadline? Without history there is no prediction (never at risk).
 */
export function predictBreach(
  now: Date,
  deadline: Date,
  queue: QueueState,
  options: { defaultHandlingMs?: number } = {},
): BreachPrediction {
  const samples = queue.recentHandlingMs.filter((x) => Number.isFinite(x) && x >= 0);
  const handling = samples.length > 0 ? percentile(samples, 75) : options.defaultHandlingMs;
  if (handling === undefined)
    return { atRisk: false, expectedAt: deadline, reason: 'no recent handling times' };
  const lanes = Math.max(1, queue.parallelCapacity);
  const waitMs = Math.ceil(queue.queueAhead / lanes) * handling;
  const expectedAt = new Date(now.getTime() + waitMs + handling);
  const atRisk = expectedAt.getTime() > deadline.getTime();
  const minutes = (ms: number) => Math.round(ms / 60_000);
  return {
    atRisk,
    expectedAt,
    reason: `${queue.queueAhead} ahead over ${lanes} lane(s) at ~${minutes(handling)} min each: expected in ${minutes(waitMs + handling)} min, ${minutes(deadline.getTime() - now.getTime())} min left`,
  };
}
