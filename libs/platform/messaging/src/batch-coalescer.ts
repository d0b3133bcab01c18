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
  private draining = false;

  constructor(
    private readonly run: (messages: IncomingMessage[]) => Promise<RunBatchResult>,
    private readonly maxMessages: number,
    private readonly linger: { ms: number; below: number } = { ms: 0, below: 0 },
  ) {}

  submit(messages: IncomingMessage[]): Promise<ContributionResult> {
    return new Promise<ContributionResult>((resolve, reject) => {
      this.waiting.push({ messages, resolve, reject });
      if (this.draining) return;
      this.draining = true;
      // After the current turn: batches handed over in the same turn join the first call.
      setImmediate(() => void this.drain());
    });
  }

  private waitingCount(): number {
    let n = 0;
    for (const c of this.waiting) n += c.messages.length;
    return n;
  }

  private async drain(): Promise<void> {
    while (this.waiting.length > 0) {
      if (this.linger.ms > 0 && this.waitingCount() < this.linger.below) await new Promise((r) => setTimeout(r, this.linger.ms));
      const round: Contribution[] = [];
      let count = 0;
      while (
        this.waiting.length > 0 &&
        (round.length === 0 || count + this.waiting[0].messages.length <= this.maxMessages)
      ) {
        const next = this.waiting.shift()!;
        round.push(next);
        count += next.messages.length;
      }
      try {
        const result = await this.run(round.flatMap((c) => c.messages));
        let start = 0;
        for (const c of round) {
          const done = Math.min(c.messages.length, Math.max(0, result.done - start));
          start += c.messages.length;
          c.resolve(done < c.messages.length && result.error !== undefined ? { done, error: result.error } : { done });
        }
      } catch (error) {
        for (const c of round) c.reject(error);
      }
    }
    this.draining = false;
  }
}
