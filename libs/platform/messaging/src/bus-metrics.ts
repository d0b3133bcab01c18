import { counter, histogram, type Registry } from '@klaxon/platform/observability';
import type { RunBatchResult } from './failure-policy';

/** Consumed and dead-lettered message counters and batch sizes per topic and group; a no-op without a registry. */
export class BusMetrics {
  private readonly consumed;
  private readonly deadLettered;
  private readonly batchSize;
  private readonly commitFailures;
  private readonly rebalances;

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
    // Small batches mean each message pays a transaction and a commit of its own: worth watching under load.
    this.batchSize = registry
      ? histogram(
          registry,
          'klaxon_consumer_batch_size',
          'Messages handed to one handler call',
          ['topic', 'group'],
          [1, 2, 5, 10, 20, 50, 100, 200, 500],
        )
      : null;
    this.commitFailures = registry
      ? counter(registry, 'klaxon_consumer_commit_failures_total', 'Offset commits the broker refused', [
          'group',
        ])
      : null;
    this.rebalances = registry
      ? counter(registry, 'klaxon_consumer_group_joins_total', 'Group joins (rebalances) of a consumer', [
          'group',
        ])
      : null;
  }

  commitFailed(group: string): void {
    this.commitFailures?.inc({ group });
  }

  rebalanced(group: string): void {
    this.rebalances?.inc({ group });
  }

  record(topic: string, group: string, result: RunBatchResult): void {
    if (result.processed > 0) this.consumed?.inc({ topic, group }, result.processed);
    this.batchSize?.observe({ topic, group }, result.processed + result.deadLettered);
    if (result.deadLettered > 0) this.deadLettered?.inc({ topic, group }, result.deadLettered);
  }
}
