/** When a category's complaints ask for a look at the cause rather than one more answer. */
export interface RootCausePolicy {
  /** This many complaints of one category within `windowDays` open a root-cause review. */
  reviewCount: number;
  reviewWindowDays: number;
  /** A spike: at least `spikeMinCount` in the last `spikeWindowHours` and `spikeFactor` times the usual rate. */
  spikeWindowHours: number;
  spikeFactor: number;
  spikeMinCount: number;
  /** The usual rate is measured over this many days before the spike window. */
  baselineDays: number;
  /** Count reviews per category and unit (where the complaint landed) instead of per category. */
  byUnit: boolean;
  /** A review is due this many of its owner's working days after it opened. */
  reviewDueWorkingDays: number;
  /** Who owns every review and spike (a quality officer's member id); unset: the lead of the category's team. */
  ownerId?: string;
}

export const DEFAULT_ROOT_CAUSE_POLICY: RootCausePolicy = {
  reviewCount: 3,
  reviewWindowDays: 7,
  spikeWindowHours: 24,
  spikeFactor: 3,
  spikeMinCount: 5,
  baselineDays: 28,
  byUnit: false,
  reviewDueWorkingDays: 5,
};

/** A review is due once the window holds `reviewCount` complaints of the category and none is open yet. */
export function reviewDue(countInWindow: number, hasOpenReview: boolean, policy: RootCausePolicy): boolean {
  return !hasOpenReview && countInWindow >= policy.reviewCount;
}

export interface SpikeCheck {
  spike: boolean;
  /** Complaints expected in the window at the usual rate. */
  expected: number;
  reason: string;
}

/** Compares the last window with the usual rate of the category over the baseline period before it. */
export function detectSpike(recentCount: number, baselineCount: number, policy: RootCausePolicy): SpikeCheck {
  const windowsInBaseline = (policy.baselineDays * 24) / policy.spikeWindowHours;
  const expected = baselineCount / windowsInBaseline;
  const spike =
    recentCount >= policy.spikeMinCount &&
    recentCount >= policy.spikeFactor * Math.max(expected, 1 / windowsInBaseline);
  const reason = `${recentCount} in ${policy.spikeWindowHours} h against ${expected.toFixed(2)} usual (${baselineCount} in ${policy.baselineDays} days)`;
  return { spike, expected, reason };
}
