import { counter, type Registry } from '@klaxon/platform/observability';
import type { RunBatchResult } from './failure-policy';

/** Consumed and dead-lettered message counters per topic and group; a no-op without a registry. */
export class BusMetrics {
  private readonly consumed;
  private readonly deadLettered;

  constructor(registry: Registry | undefined) {
    this.consumed = registry
      ? counter(registry, 'klaxon_messages_consumed_total', 'Messages a consumer group processed', [
          'topic',
          'group',
        ])
      : null;
    this.deadLettered = registry
      ? counter(registry, 'klaxon_messages_dead_lettered_total', 'Messages sent to the dead-letter topic', [
          'topic',
          'group',
        ])
      : null;
  }

  record(topic: string, group: string, result: RunBatchResult): void {
    if (result.processed > 0) this.consumed?.inc({ topic, group }, result.processed);
    if (result.deadLettered > 0) this.deadLettered?.inc({ topic, group }, result.deadLettered);
  }
}
