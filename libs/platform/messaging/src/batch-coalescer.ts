import type { IncomingMessage } from './bus.port';
import type { RunBatchResult } from './failure-policy';

/** What became of one contribution: its leading `done` messages are settled; `error` if the rest must be read again. */
export interface ContributionResult {
  done: number;
  error?: unknown;
}

interface Contribution {
  messages: IncomingMessage[];
  resolve: (result: ContributionResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Joins the batches a consumer is handed concurrently — one per partition — into one handler call.
 * A partition's fetch often holds only a few messages (a trickle per partition, or a broker that does not
 * wait for fetch.min.bytes, as the mock cluster), and every handler call pays a transaction, an
 * idempotency claim and its statements; joined, they pay it once. Contributions arriving while a call
 * runs go together into the next one (like a group commit), so an idle consumer adds no delay and a busy
 * one gets bigger batches. Each contribution stays whole and in arrival order, so a partition's messages
 * keep their order. With `lingerMs`, a round that would start with fewer than `lingerBelow` messages
 * waits that long for more first (what fetch.min.bytes does on a real broker, which the mock cluster
 * ignores): a few milliseconds of latency buy batches big enough to pay their transaction once.
 */
export class BatchCoalescer {
  private readonly waiting: Contribution[] = [];
  private running = 0;
  private scheduled = false;

  /**
   * `concurrency`: handler calls running at once (each with other partitions: kafkajs hands a partition
   * its next batch only when the previous one is settled, so a key's messages never run side by side).
   * Consumers are safe with several replicas, so this is like one more replica in the same process: it
   * keeps the CPU busy while a call waits on the database.
   */
  constructor(
    private readonly run: (messages: IncomingMessage[]) => Promise<RunBatchResult>,
    private readonly maxMessages: number,
    private readonly linger: { ms: number; below: number } = { ms: 0, below: 0 },
    private readonly concurrency = 1,
  ) {}

  submit(messages: IncomingMessage[]): Promise<ContributionResult> {
    return new Promise<ContributionResult>((resolve, reject) => {
      this.waiting.push({ messages, resolve, reject });
      this.schedule();
    });
  }

  private waitingCount(): number {
    let n = 0;
    for (const c of this.waiting) n += c.messages.length;
    return n;
  }

  /** Starts the next call when there is room: after the current turn (batches handed over in the same turn join it), or after the linger. */
  private schedule(): void {
    if (this.scheduled || this.running >= this.concurrency || this.waiting.length === 0) return;
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
    if (this.running >= this.concurrency || this.waiting.length === 0) return;
    const round: Contribution[] = [];
    let count = 0;
    while (this.waiting.length > 0 && (round.length === 0 || count + this.waiting[0].messages.length <= this.maxMessages)) {
      const next = this.waiting.shift()!;
      round.push(next);
      count += next.messages.length;
    }
    this.running++;
    this.run(round.flatMap((c) => c.messages))
      .then(
        (result) => {
          let start = 0;
          for (const c of round) {
            const done = Math.min(c.messages.length, Math.max(0, result.done - start));
            start += c.messages.length;
            c.resolve(done < c.messages.length && result.error !== undefined ? { done, error: result.error } : { done });
          }
        },
        (error: unknown) => {
          for (const c of round) c.reject(error);
        },
      )
      .finally(() => {
        this.running--;
        this.schedule();
      });
  }
}
