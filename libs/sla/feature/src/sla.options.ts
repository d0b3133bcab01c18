import type { BusinessCalendarConfig, SlaPolicy } from '@klaxon/sla/domain';

export const SLA_OPTIONS = Symbol('SLA_OPTIONS');

export interface SlaOptions {
  policies: SlaPolicy[];
  calendar: BusinessCalendarConfig;
  /** How often the scheduler looks for due warnings and breaches. */
  scanIntervalMs: number;
  /** Most clocks fired in one transaction. */
  scanBatchSize: number;
}
