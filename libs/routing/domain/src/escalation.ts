import type { EscalationPolicy } from './organisation';

export type EscalationTrigger = 'authority' | 'reputational-risk' | 'repeat-complainant' | 'sla';
export type EscalationLevel = 'team-lead' | 'executive';

export interface Escalation {
  trigger: EscalationTrigger;
  level: EscalationLevel;
  reason: string;
}

export interface EscalationFacts {
  /** The classifier or a rule marked it (public post with large reach, press, legal threat). */
  reputationalRisk: boolean;
  /** Complaints of this customer within the window, across channels, this one included. */
  recentComplaintsOfCustomer: number;
  /** The owner may not grant what it needs. */
  exceedsAuthority: boolean;
  /** Followers of the public account that posted it. */
  reach?: number;
  /** The authority it needs, for the reason text. */
  requiredAuthority?: number;
}

/**
 * The escalations a complaint needs: authority and repeat complainants go to the team lead; a
 * reputational risk (or a public post reaching at least `reachThreshold`) goes to the team lead and,
 * at once, to the executive level.
 */
export function escalationsFor(facts: EscalationFacts, policy: EscalationPolicy): Escalation[] {
  const out: Escalation[] = [];
  if (facts.exceedsAuthority) {
    out.push({
      trigger: 'authority',
      level: 'team-lead',
      reason: facts.requiredAuthority
        ? `needs authority to grant €${facts.requiredAuthority}, more than the owner has`
        : 'needs more authority than the owner has',
    });
  }
  const largeReach = facts.reach !== undefined && facts.reach >= policy.reachThreshold;
  if (facts.reputationalRisk || largeReach) {
    const reason = largeReach
      ? `public post reaching ${facts.reach} people (threshold ${policy.reachThreshold})`
      : 'reputational risk (public reach, press or legal threat)';
    out.push({ trigger: 'reputational-risk', level: 'team-lead', reason });
    out.push({ trigger: 'reputational-risk', level: 'executive', reason });
  }
  if (facts.recentComplaintsOfCustomer >= policy.repeatCount) {
    out.push({
      trigger: 'repeat-complainant',
      level: 'team-lead',
      reason: `${facts.recentComplaintsOfCustomer} complaints of this customer in ${policy.repeatWindowDays} days (threshold ${policy.repeatCount})`,
    });
  }
  return out;
}
