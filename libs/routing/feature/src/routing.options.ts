import type { EscalationPolicy, OrganisationConfig, RootCausePolicy } from '@klaxon/routing/domain';

export const ROUTING_OPTIONS = Symbol('ROUTING_OPTIONS');

export interface RoutingOptions {
  /** Teams, members and rules seeded into PostgreSQL when the organisation is empty; from then on the database is the truth. */
  organisation: OrganisationConfig;
  escalation: EscalationPolicy;
  rootCause: RootCausePolicy;
  /** How often waiting complaints are offered to members coming on shift, and absences checked (ms; 0: never on a timer). */
  queueScanIntervalMs: number;
  /** At most this many waiting complaints per pass. */
  queueBatchSize: number;
  /** Phone numbers without a country code are read as from this country. */
  defaultCountry: 'NL' | 'BE' | 'DE' | 'GB' | 'US';
}
