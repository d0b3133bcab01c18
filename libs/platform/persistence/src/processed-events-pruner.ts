import type { DataSource } from 'typeorm';
import type { Logger } from '@klaxon/platform/observability';

export interface ProcessedEventsPrunerOptions {
  dataSource: DataSource;
  logger: Logger;
  /**
   * How long a claim is kept. Must exceed the retention of every topic a consumer reads, dead-letter
   * topics included (a replay can bring an event back that long after): the config checks it at start.
   */
  retentionMs: number;
  /** Pause between prunes. */
  intervalMs?: number;
  /** Rows deleted per statement, so one prune never holds many locks at once. */
  batchSize?: number;
}

/**
 * Deletes idempotency claims (`processed_events`) older than the retention window, in small batches;
 * several replicas may run it at once (a row deleted twice is deleted once).
 */
export class ProcessedEventsPruner {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(private readonly options: ProcessedEventsPrunerOptions) {}

  start(): void {
    if (this.timer) return;
    const every = this.options.intervalMs ?? 3_600_000;
    const tick = () => {
      this.running = this.pruneOnce()
        .catch((err: unknown) =>
          this.options.logger.warn({ err }, 'processed_events prune failed; next time'),
        )
        .finally(() => (this.running = null));
    };
    this.timer = setInterval(tick, every);
    this.timer.unref();
    tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Returns how many claims were deleted. */
  async pruneOnce(now: Date = new Date()): Promise<number> {
    const before = new Date(now.getTime() - this.options.retentionMs).toISOString();
    const batch = this.options.batchSize ?? 10_000;
    let total = 0;
    for (;;) {
      // A SELECT around the DELETE: TypeORM hands a bare DELETE's result back as [rows, count].
      const [{ n }] = (await this.options.dataSource.query(
        `WITH gone AS (
           DELETE FROM processed_events WHERE (consumer, event_id) IN (
             SELECT consumer, event_id FROM processed_events WHERE processed_at < $1 LIMIT $2)
           RETURNING 1)
         SELECT count(*)::int AS n FROM gone`,
        [before, batch],
      )) as Array<{ n: number }>;
      total += n;
      if (n < batch) break;
    }
    if (total) this.options.logger.info({ deleted: total, before }, 'processed_events pruned');
    return total;
  }
}
