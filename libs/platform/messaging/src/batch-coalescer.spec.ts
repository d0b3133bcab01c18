import { BatchCoalescer } from './batch-coalescer';
import type { IncomingMessage } from './bus.port';
import type { RunBatchResult } from './failure-policy';

const msg = (partition: number, offset: number): IncomingMessage => ({
  topic: 't',
  partition,
  offset: String(offset),
  key: null,
  value: Buffer.from(`${partition}:${offset}`),
  headers: {},
});
const ok = (messages: IncomingMessage[]): RunBatchResult => ({
  done: messages.length,
  processed: messages.length,
  deadLettered: 0,
});

/** A coalescer whose first handler call is held until `release()`: what arrives meanwhile waits. `calls` holds each call's messages. */
function holdingFirstCall(
  maxMessages: number,
  ...rest: [linger?: { ms: number; below: number }, concurrency?: number, capacity?: number]
) {
  const calls: string[][] = [];
  let release!: () => void;
  const first = new Promise<void>((r) => (release = r));
  const coalescer = new BatchCoalescer(
    async (messages) => {
      calls.push(messages.map((m) => m.value!.toString()));
      if (calls.length === 1) await first;
      return ok(messages);
    },
    maxMessages,
    ...rest,
  );
  return { coalescer, calls, release };
}

describe('BatchCoalescer', () => {
  it('joins the batches handed over while a call runs into the next call, each partition in order', async () => {
    const { coalescer, calls, release } = holdingFirstCall(100);
    const a = coalescer.submit([msg(0, 1), msg(0, 2)]);
    await new Promise((r) => setImmediate(r));
    const b = coalescer.submit([msg(1, 7)]);
    const c = coalescer.submit([msg(0, 3)]);
    const d = coalescer.submit([msg(2, 4), msg(2, 5)]);
    release();
    expect(await Promise.all([a, b, c, d])).toEqual([{ done: 2 }, { done: 1 }, { done: 1 }, { done: 2 }]);
    expect(calls).toEqual([
      ['0:1', '0:2'],
      ['1:7', '0:3', '2:4', '2:5'],
    ]);
  });

  it('never puts more than the limit in one call, but a contribution stays whole', async () => {
    const { coalescer, calls, release } = holdingFirstCall(3);
    const all = [coalescer.submit([msg(0, 0)])];
    await new Promise((r) => setImmediate(r));
    all.push(
      coalescer.submit([msg(1, 0), msg(1, 1)]),
      coalescer.submit([msg(2, 0), msg(2, 1)]),
      coalescer.submit([msg(3, 0)]),
    );
    release();
    await Promise.all(all);
    // The second call is full with the first two-message batch and the one-message batch behind it.
    expect(calls.map((c) => c.length)).toEqual([1, 3, 2]);
  });

  it('hands each contribution its share of a partial result, and the error only to those not finished', async () => {
    const failure = new Error('dead-letter publish failed');
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    let n = 0;
    const coalescer = new BatchCoalescer(async (messages) => {
      if (++n === 1) {
        await first;
        return ok(messages);
      }
      return { done: 3, processed: 3, deadLettered: 0, error: failure };
    }, 100);
    const warm = coalescer.submit([msg(9, 0)]);
    await new Promise((r) => setImmediate(r));
    const a = coalescer.submit([msg(0, 1), msg(0, 2)]);
    const b = coalescer.submit([msg(1, 1), msg(1, 2)]);
    const c = coalescer.submit([msg(2, 1)]);
    release();
    await warm;
    expect(await Promise.all([a, b, c])).toEqual([
      { done: 2 },
      { done: 1, error: failure },
      { done: 0, error: failure },
    ]);
  });

  it('with a linger, waits for more before a small call, but not before a big one', async () => {
    const calls: number[] = [];
    const coalescer = new BatchCoalescer(
      async (messages) => {
        calls.push(messages.length);
        return ok(messages);
      },
      100,
      { ms: 50, below: 3 },
    );
    // The clock is the test's: no bet that a busy machine keeps 10 ms under the 50 ms linger.
    jest.useFakeTimers();
    try {
      const first = coalescer.submit([msg(0, 1)]);
      await jest.advanceTimersByTimeAsync(49);
      expect(calls).toEqual([]); // still lingering
      const second = coalescer.submit([msg(1, 1)]); // arrives while the first lingers: they go together
      await jest.advanceTimersByTimeAsync(1);
      await Promise.all([first, second]);
      expect(calls).toEqual([2]);
      const big = coalescer.submit([msg(0, 2), msg(1, 2), msg(2, 2)]); // enough on its own: no waiting
      await jest.advanceTimersByTimeAsync(1);
      expect(calls).toEqual([2, 3]);
      await big;
    } finally {
      jest.useRealTimers();
    }
  });

  it('runs up to `concurrency` calls at once, the rest waits for a free one', async () => {
    let running = 0;
    let most = 0;
    const releases: Array<() => void> = [];
    const coalescer = new BatchCoalescer(
      async (messages) => {
        running++;
        most = Math.max(most, running);
        await new Promise<void>((r) => releases.push(r));
        running--;
        return ok(messages);
      },
      1,
      { ms: 0, below: 0 },
      2,
    );
    // The test's own clock: every scheduled start has run when the clock was advanced, on any machine.
    jest.useFakeTimers();
    try {
      const all = [0, 1, 2].map((p) => coalescer.submit([msg(p, 1)]));
      await jest.advanceTimersByTimeAsync(1);
      expect(releases).toHaveLength(2); // the third waits
      releases.splice(0).forEach((r) => r());
      await jest.advanceTimersByTimeAsync(1);
      releases.splice(0).forEach((r) => r());
      expect(await Promise.all(all)).toEqual([{ done: 1 }, { done: 1 }, { done: 1 }]);
      expect(most).toBe(2);
    } finally {
      jest.useRealTimers();
    }
  });

  it('drops what waits of a partition read again, and everything waiting when closed, without calling the handler for it', async () => {
    const { coalescer, calls, release } = holdingFirstCall(100, { ms: 0, below: 0 }, 1, 2);
    const running = coalescer.submit([msg(0, 1)]);
    await new Promise((r) => setImmediate(r));
    const again = coalescer.submit([msg(1, 1), msg(1, 2)]);
    const other = coalescer.submit([msg(2, 1)]);
    let roomy = false;
    void coalescer.room().then(() => (roomy = true));
    await new Promise((r) => setImmediate(r));
    expect(roomy).toBe(false); // three messages wait, room for two
    coalescer.discard('t:1');
    expect(await again).toEqual({ done: 0, dropped: true });
    await new Promise((r) => setImmediate(r));
    expect(roomy).toBe(true);
    coalescer.close();
    expect(await other).toEqual({ done: 0, dropped: true });
    release();
    expect(await running).toEqual({ done: 1 });
    await coalescer.idle();
    expect(calls).toEqual([['0:1']]);
    expect(await coalescer.submit([msg(3, 1)])).toEqual({ done: 0, dropped: true });
  });

  it('fails every contribution of a call that throws, and goes on with the next', async () => {
    let n = 0;
    const coalescer = new BatchCoalescer(async (messages) => {
      if (++n === 1) throw new Error('boom');
      return ok(messages);
    }, 100);
    await expect(coalescer.submit([msg(0, 1)])).rejects.toThrow('boom');
    await expect(coalescer.submit([msg(0, 1)])).resolves.toEqual({ done: 1 });
  });
});
