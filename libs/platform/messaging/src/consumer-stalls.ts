import { counter, type Registry } from '@klaxon/platform/observability';
import { Gauge } from 'prom-client';

/** A consumer retrying the same batch because a dependency is away (health answers not-ready meanwhile). */
export interface ConsumerStall {
  groupId: string;
  /** `classify(error).reason`, e.g. `sqlstate-57p01`, `econnrefused`. */
  reason: string;
  /** Consecutive transient failures so far. */
  attempts: number;
  since: string;
}

/** What `runBatch` reports while it retries a transient failure, and when the same batch went through. */
export interface StallListener {
  stalled(s: { reason: string; attempt: number; delayMs: number; error: unknown }): void;
  recovered(): void;
}

/**
 * The stalls of one bus's consumers: the health answer lists them, `klaxon_consumer_stalled` (1 while
 * stalled) and `klaxon_consumer_transient_failures_total` count them. One listener per batch run.
 */
export class ConsumerStalls {
  private readonly current = new Map<symbol, ConsumerStall>();
  private readonly failures;
  private readonly gauge;

  constructor(registry: Registry | undefined) {
    this.failures = registry
      ? counter(
          registry,
          'klaxon_consumer_transient_failures_total',
          'Batches a consumer retried because a dependency was unavailable (never dead-lettered)',
          ['group', 'reason'],
        )
      : null;
    const existing = registry?.getSingleMetric('klaxon_consumer_stalled') as Gauge | undefined;
    this.gauge = registry
      ? (existing ??
        new Gauge({
          name: 'klaxon_consumer_stalled',
          help: 'Batches of the group waiting for an unavailable dependency right now',
          labelNames: ['group'],
          registers: [registry],
        }))
      : null;
  }

  listener(groupId: string, now: () => Date = () => new Date()): StallListener {
    const token = Symbol(groupId);
    return {
      stalled: ({ reason, attempt }) => {
        this.failures?.inc({ group: groupId, reason });
        const known = this.current.get(token);
        if (!known) this.gauge?.inc({ group: groupId });
        this.current.set(token, {
          groupId,
          reason,
          attempts: attempt,
          since: known?.since ?? now().toISOString(),
        });
      },
      recovered: () => {
        if (this.current.delete(token)) this.gauge?.dec({ group: groupId });
      },
    };
  }

  list(): ConsumerStall[] {
    return [...this.current.values()];
  }
}
