import type { DataSource, EntityManager } from 'typeorm';

export interface GroupCommitOptions<TItem, TResult> {
  dataSource: DataSource;
  /** Writes a group of items in one transaction; returns one result per item, in order. */
  write: (manager: EntityManager, items: TItem[]) => Promise<TResult[]>;
  /** Most items in one transaction. */
  maxGroupSize?: number;
  /** Transactions in flight at once (keep below the pool size). */
  maxConcurrent?: number;
}

interface Pending<TItem, TResult> {
  item: TItem;
  resolve: (result: TResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: concurrent callers that each need "store this durably, then answer" share one
 * transaction. While a transaction is in flight the next callers queue up and go together in the
 * next one, so a busy intake pays one commit and a few statements per group, not per request, and a
 * quiet one still commits each request at once. When a group's transaction fails, its items are
 * retried one by one, so one bad item fails only its own caller.
 */
export class GroupCommit<TItem, TResult> {
  private readonly queue: Array<Pending<TItem, TResult>> = [];
  private inFlight = 0;
  private readonly maxGroupSize: number;
  private readonly maxConcurrent: number;

  constructor(private readonly options: GroupCommitOptions<TItem, TResult>) {
    this.maxGroupSize = options.maxGroupSize ?? 200;
    this.maxConcurrent = options.maxConcurrent ?? 2;
  }

  submit(item: TItem): Promise<TResult> {
    return new Promise<TResult>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.inFlight < this.maxConcurrent && this.queue.length > 0) {
      const group = this.queue.splice(0, this.maxGroupSize);
      this.inFlight++;
      void this.commit(group).finally(() => {
        this.inFlight--;
        this.drain();
      });
    }
  }

  private async commit(group: Array<Pending<TItem, TResult>>): Promise<void> {
    try {
      const results = await this.options.dataSource.transaction((manager) =>
        this.options.write(
          manager,
          group.map((p) => p.item),
        ),
      );
      group.forEach((p, i) => p.resolve(results[i]));
    } catch (error) {
      if (group.length === 1) {
        group[0].reject(error);
        return;
      }
      for (const p of group) {
        try {
          const [result] = await this.options.dataSource.transaction((manager) =>
            this.options.write(manager, [p.item]),
          );
          p.resolve(result);
        } catch (own) {
          p.reject(own);
        }
      }
    }
  }
}
