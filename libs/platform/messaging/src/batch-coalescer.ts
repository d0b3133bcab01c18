import type { IncomingMessage } from './bus.port';
import type { RunBatchResult } from './failure-policy';

/** What became of one contribution: its leading `done` messages are settled; `error` if the rest must be read again. */
export interface ContributionResult {
  done: number;
  error?: unknown;
  /** Never handed to the handler: dropped by `discard` or `close`. */
  dropped?: true;
}

interface Contribution {
  messages: IncomingMessage[];
  /** topic:partition — a contribution holds messages of one partition. */
  partition: string;
  resolve: (result: ContributionResult) => void;
  reject: (error: unknown) => void;
}

const partitionOf = (messages: IncomingMessage[]): string =>
  messages.length ? `${messages[0].topic}:${messages[0].partition}` : '';

/**
 * Joins the batches a consumer is handed — one per partition — into one handler call.
 * A partition's fetch often holds only a few messages (a trickle per partition, or a broker that hands
 * out one record batch per partition and fetch, as the mock cluster does), and every handler call pays
 * a transaction, an idempotency claim and its statements; joined, they pay it once. Contributions
 * arriving while a call runs go together into the next one (like a group commit), so an idle consumer
 * adds no delay and a busy one gets bigger batches. Each contribution stays whole and a partition's
 * contributions are taken in arrival order, never two of them side by side, so its messages keep their
 * order. With `lingerMs`, a call that would start with fewer than `lingerBelow` messages waits that long
 * for more first (what fetch.min.bytes does on a real broker, which the mock cluster ignores).
 */
export class BatchCoalescer {
  private readonly waiting: Contribution[] = [];
  private readonly busy = new Set<string>();
  private running = 0;
  private scheduled = false;
  private closed = false;
  private readonly roomWaiters: Array<() => void> = [];
  private readonly idleWaiters: Array<() => void> = [];

  /**
   * `concurrency`: handler calls running at once, each with other partitions. Consumers are safe with
   * several replicas, so this is like one more replica in the same process.
   * `capacity`: `room()` waits while more messages than this are waiting (backpressure on fetching).
   */
  constructor(
    private readonly run: (messages: IncomingMessage[]) => Promise<RunBatchResult>,
    private readonly maxMessages: number,
    private readonly linger: { ms: number; below: number } = { ms: 0, below: 0 },
    private readonly concurrency = 1,
    private readonly capacity = Infinity,
  ) {}

  submit(messages: IncomingMessage[]): Promise<ContributionResult> {
    if (this.closed) return Promise.resolve({ done: 0, dropped: true });
    return new Promise<ContributionResult>((resolve, reject) => {
      this.waiting.push({ messages, partition: partitionOf(messages), resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once no more than `capacity` messages wait (or the coalescer is closed). */
  room(): Promise<void> {
    if (this.closed || this.waitingCount() <= this.capacity) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Resolves once no handler call runs. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops what waits of one partition (it is to be read again): each dropped contribution settles nothing. */
  discard(partition: string): void {
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      if (this.waiting[i].partition !== partition) continue;
      const [dropped] = this.waiting.splice(i, 1);
      dropped.resolve({ done: 0, dropped: true });
    }
    this.wakeRoom();
  }

  /** No more calls: what waits settles nothing (whoever reads the partitions next gets it again). */
  close(): void {
    this.closed = true;
    for (const c of this.waiting.splice(0)) c.resolve({ done: 0, dropped: true });
    this.wakeRoom();
  }

  private waitingCount(): number {
    let n = 0;
    for (const c of this.waiting) n += c.messages.length;
    return n;
  }

  private wakeRoom(): void {
    if (!this.closed && this.waitingCount() > this.capacity) return;
    for (const wake of this.roomWaiters.splice(0)) wake();
  }

  /** Starts the next call when there is room: after the current turn (batches handed over in the same turn join it), or after the linger. */
  private schedule(): void {
    if (this.closed || this.scheduled || this.running >= this.concurrency || this.waiting.length === 0)
      return;
    this.scheduled = true;
    const start = () => {
      this.scheduled = false;
      this.startRound();
      this.schedule();
    };
    if (this.linger.ms > 0 && this.waitingCount() < this.linger.below) setTimeout(start, this.linger.ms);
    else setImmediate(start);
  }

  private startRound(): void {
    if (this.closed || this.running >= this.concurrency) return;
    const round: Contribution[] = [];
    // A partition whose earlier contribution runs or stays behind is not taken this round.
    const blocked = new Set(this.busy);
    let count = 0;
    for (let i = 0; i < this.waiting.length;) {
      const c = this.waiting[i];
      if (blocked.has(c.partition) || (round.length > 0 && count + c.messages.length > this.maxMessages)) {
        blocked.add(c.partition);
        i++;
        continue;
      }
      round.push(c);
      count += c.messages.length;
      this.waiting.splice(i, 1);
    }
    if (round.length === 0) return;
    const partitions = new Set(round.map((c) => c.partition));
    for (const p of partitions) this.busy.add(p);
    this.running++;
    this.wakeRoom();
    this.run(round.flatMap((c) => c.messages))
      .then(
        (result) => {
          let start = 0;
          for (const c of round) {
            const done = Math.min(c.messages.length, Math.max(0, result.done - start));
            start += c.messages.length;
            c.resolve(
              done < c.messages.length && result.error !== undefined
                ? { done, error: result.error }
                : { done },
            );
          }
        },
        (error: unknown) => {
          for (const c of round) c.reject(error);
        },
      )
      .finally(() => {
        for (const p of partitions) this.busy.delete(p);
        this.running--;
        if (this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        this.schedule();
      });
  }
}
