/** Who hears about a breached clock, and when. */
export type EscalationLevel = 'owner' | 'team-lead' | 'executive';

export interface EscalationStep {
  level: EscalationLevel;
  dueAt: Date;
  reason: string;
}

export interface EscalationPolicy {
  /** The owner reports to the team lead within this long after the breach. */
  ownerReportsWithinMs: number;
  /** The team lead decides within this long after being told. */
  teamLeadDecidesWithinMs: number;
}

export const DEFAULT_ESCALATION: EscalationPolicy = {
  ownerReportsWithinMs: 60 * 60_000,
  teamLeadDecidesWithinMs: 4 * 60 * 60_000,
};

/**
 * The escalation ladder after a breach: the owner must report to the team lead within 60 minutes (if
 * the clock is still not met then, the team lead is alerted), the team lead decides within 4 hours
 * (else the executive level is alerted). An external (reputational) risk goes to the executive at once.
 */
export function escalationLadder(
  breachedAt: Date,
  options: { externalRisk: boolean },
  policy: EscalationPolicy = DEFAULT_ESCALATION,
): EscalationStep[] {
  const t = breachedAt.getTime();
  if (options.externalRisk) {
    return [
      { level: 'executive', dueAt: breachedAt, reason: 'external risk: executive level informed at once' },
      { level: 'team-lead', dueAt: breachedAt, reason: 'external risk: team lead informed at once' },
    ];
  }
  return [
    {
      level: 'team-lead',
      dueAt: new Date(t + policy.ownerReportsWithinMs),
      reason: 'owner did not report within the time allowed after the breach',
    },
    {
      level: 'executive',
      dueAt: new Date(t + policy.ownerReportsWithinMs + policy.teamLeadDecidesWithinMs),
      reason: 'team lead did not decide within the time allowed',
    },
  ];
}
