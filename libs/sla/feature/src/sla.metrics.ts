import { counter, type Registry } from '@klaxon/platform/observability';
import type { SlaAlert } from '@klaxon/contracts';

/** Business counter of the SLA stage: warnings, breaches and escalations fired, by clock. */
export class SlaMetrics {
  private readonly alerts;

  constructor(registry: Registry | undefined) {
    this.alerts = registry
      ? counter(registry, 'klaxon_sla_alerts_total', 'SLA alerts fired, by clock and kind', ['clock', 'kind'])
      : null;
  }

  /** Call once the alerts are committed: each alert fires exactly once, so each is counted once. */
  record(alerts: Array<Pick<SlaAlert, 'clock' | 'kind'>>): void {
    for (const a of alerts) this.alerts?.inc({ clock: a.clock, kind: a.kind });
  }
}
