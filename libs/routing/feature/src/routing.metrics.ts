import { Inject, Injectable } from '@nestjs/common';
import { counter, type Registry } from '@klaxon/platform/observability';
import { METRICS } from '@klaxon/platform/runtime';
import type { RouteResult } from './routing-work';

/** Business counters of the router: assigned or queued (by team where known), escalations by trigger. */
@Injectable()
export class RoutingMetrics {
  private readonly routed;
  private readonly escalated;

  constructor(@Inject(METRICS) registry: Registry) {
    this.routed = counter(
      registry,
      'klaxon_complaints_routed_total',
      'New complaints routed: assigned to an owner or queued for their team',
      ['outcome', 'team'],
    );
    this.escalated = counter(
      registry,
      'klaxon_complaints_escalated_total',
      'Escalations on routing, by trigger and level',
      ['trigger', 'level'],
    );
  }

  /** Call once the routing is committed (a rolled-back batch is not counted). */
  record(result: RouteResult): void {
    for (const a of result.assigned) this.routed.inc({ outcome: 'assigned', team: a.teamId });
    if (result.queued.length) this.routed.inc({ outcome: 'queued', team: '' }, result.queued.length);
    for (const e of result.escalations) this.escalated.inc({ trigger: e.trigger, level: e.level });
  }
}
