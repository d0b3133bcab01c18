import type { EscalationPolicy, OrganisationConfig } from '@klaxon/routing/domain';

export const ROUTING_OPTIONS = Symbol('ROUTING_OPTIONS');

export interface RoutingOptions {
  /** Teams, members and rules; seeded into PostgreSQL when the organisation is empty. */
  organisation: OrganisationConfig;
  escalation: EscalationPolicy;
}
