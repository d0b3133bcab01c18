import { deadLetterRecordSchema } from '@klaxon/contracts';
import { silentLogger } from '@klaxon/platform/observability';
import { PermanentMessageError, type IncomingMessage, type OutgoingMessage } from './bus.port';
import { backoffMs, runBatch } from './failure-policy';

const messages = (values: string[]): IncomingMessage[] =>
  values.map((v, i) => ({
    topic: 't',
    partition: 2,
    offset: String(100 + i),
    key: 'k',
    value: Buffer.from(v),
    headers: { h: v },
  }));
const text = (m: IncomingMessage) => m.value!.toString();
const retry = { attempts: 3, initialBackoffMs: 1, maxBackoffMs: 4 };

describe('runBatch (the failure policy of both buses)', () => {
  it('processes a good batch in one call and commits all of it', async () => {
    const calls: string[][] = [];
    const published: OutgoingMessage[] = [];
    const result = await runBatch({
      messages: messages(['a', 'b', 'c']),
      handler: async (batch) => void calls.push(batch.map(text)),
      retry,
      groupId: 'g',
      publish: async (m) => void published.push(...m),
      logger: silentLogger,
    });
    expect(calls).toEqual([['a', 'b', 'c']]);
    expect(result).toEqual({ done: 3, processed: 3, deadLettered: 0 });
    expect(published).toEqual([]);
  });

  it('splits a failing batch so that only the poison message is dead-lettered, in order, with a valid record', async () => {
    const ok: string[] = [];
    const published: OutgoingMessage[] = [];
    const result = await runBatch({
      messages: messages(['a', 'b', 'c', 'poison', 'e', 'f', 'g', 'h']),
      handler: async (batch) => {
        if (batch.some((m) => text(m) === 'poison')) throw new Error('nope');
        ok.push(...batch.map(text));
      },
      retry,
      groupId: 'g',
      publish: async (m) => void published.push(...m),
      logger: silentLogger,
    });
    expect(ok).toEqual(['a', 'b', 'c', 'e', 'f', 'g', 'h']);
    expect(result).toEqual({ done: 8, processed: 7, deadLettered: 1 });
    expect(published).toHaveLength(1);
    expect(published[0].topic).toBe('t.dlq');
    const record = deadLetterRecordSchema.parse(JSON.parse(published[0].value.toString()));
    expect(record).toMatchObject({
      offset: '103',
      partition: 2,
      attempts: 3,
      error: { code: 'handler-failed', message: 'nope' },
    });
  });

  it('retries a message the handler rejected with an unclassified error on its own, and keeps the others', async () => {
    const calls: string[][] = [];
    let failuresLeft = 1;
    const result = await runBatch({
      messages: messages(['a', 'flaky', 'c']),
      handler: async (batch) => {
        calls.push(batch.map(text));
        const flaky = batch.find((m) => text(m) === 'flaky');
        if (flaky && failuresLeft-- > 0)
          return { rejected: [{ message: flaky, error: new Error('try later') }] };
      },
      retry,
      groupId: 'g',
      publish: async () => undefined,
      logger: silentLogger,
    });
    expect(calls).toEqual([['a', 'flaky', 'c'], ['flaky']]);
    expect(result).toEqual({ done: 3, processed: 3, deadLettered: 0 });
  });

  it('commits only what is settled when stopping cuts a retry short', async () => {
    const abort = new AbortController();
    const result = await runBatch({
      messages: messages(['a', 'b', 'c']),
      handler: async (batch) => {
        if (batch.some((m) => text(m) === 'b')) {
          abort.abort();
          throw new Error('down');
        }
      },
      retry: { attempts: 5, initialBackoffMs: 60_000, maxBackoffMs: 60_000 },
      groupId: 'g',
      publish: async () => undefined,
      logger: silentLogger,
      signal: abort.signal,
    });
    expect(result.done).toBe(0);
  });

  it('does not commit past a dead letter it could not publish', async () => {
    const result = await runBatch({
      messages: messages(['a', 'bad', 'c']),
      handler: async (batch) => {
        if (batch.some((m) => text(m) === 'bad')) throw new PermanentMessageError('bad', 'bad');
      },
      retry,
      groupId: 'g',
      publish: async () => {
        throw new Error('kafka is gone');
      },
      logger: silentLogger,
    });
    expect(result.done).toBe(1);
    expect((result.error as Error).message).toBe('kafka is gone');
  });

  it('backs off exponentially up to the maximum, jittered in the upper half', () => {
    const policy = { attempts: 6, initialBackoffMs: 100, maxBackoffMs: 500 };
    const ceilings = [100, 200, 400, 500, 500];
    ceilings.forEach((ceiling, n) => {
      const d = backoffMs(policy, n + 1);
      expect(d).toBeGreaterThanOrEqual(ceiling / 2);
      expect(d).toBeLessThanOrEqual(ceiling);
    });
  });
});

describe('runBatch under transient failures (a dependency away, not the messages)', () => {
  const down = () =>
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const listener = () => {
    const events: string[] = [];
    return {
      events,
      stall: {
        stalled: ({ reason }: { reason: string }) => void events.push(`stalled:${reason}`),
        recovered: () => void events.push('recovered'),
      },
    };
  };

  it('retries the same whole batch past the retry budget: no split, no dead letter, the stall reported', async () => {
    const calls: string[][] = [];
    let outage = 7; // more failures than `retry.attempts`
    const published: OutgoingMessage[] = [];
    const { events, stall } = listener();
    const result = await runBatch({
      messages: messages(['a', 'b', 'c', 'd']),
      handler: async (batch) => {
        calls.push(batch.map(text));
        if (outage-- > 0) throw down();
      },
      retry: { ...retry, transientMaxBackoffMs: 8 },
      groupId: 'g',
      publish: async (m) => void published.push(...m),
      logger: silentLogger,
      stall,
    });
    expect(calls).toHaveLength(8);
    expect(calls.every((c) => c.join() === 'a,b,c,d')).toBe(true);
    expect(result).toEqual({ done: 4, processed: 4, deadLettered: 0 });
    expect(published).toEqual([]);
    expect(events).toEqual([...Array(7).fill('stalled:econnrefused'), 'recovered']);
  });

  it('still dead-letters only the poison message when the database blips during the split', async () => {
    const ok: string[] = [];
    let blips = 3;
    const result = await runBatch({
      messages: messages(['a', 'b', 'poison', 'd']),
      handler: async (batch) => {
        if (batch.length === 2 && blips-- > 0)
          throw Object.assign(new Error('terminating connection'), { code: '57P01' });
        if (batch.some((m) => text(m) === 'poison')) throw new Error('cannot parse');
        ok.push(...batch.map(text));
      },
      retry: { ...retry, transientMaxBackoffMs: 8 },
      groupId: 'g',
      publish: async () => undefined,
      logger: silentLogger,
    });
    expect(ok).toEqual(['a', 'b', 'd']);
    expect(result).toEqual({ done: 4, processed: 3, deadLettered: 1 });
  });

  it('waits on a message the handler rejected as transient, then settles it', async () => {
    const calls: string[][] = [];
    let left = 5;
    const result = await runBatch({
      messages: messages(['a', 'waits', 'c']),
      handler: async (batch) => {
        calls.push(batch.map(text));
        const m = batch.find((x) => text(x) === 'waits');
        if (m && left-- > 0) return { rejected: [{ message: m, error: down() }] };
      },
      retry: { ...retry, transientMaxBackoffMs: 8 },
      groupId: 'g',
      publish: async () => undefined,
      logger: silentLogger,
    });
    expect(calls).toEqual([['a', 'waits', 'c'], ...Array(5).fill(['waits'])]);
    expect(result).toEqual({ done: 3, processed: 3, deadLettered: 0 });
  });

  it('stopping ends the wait: nothing settled, nothing dead-lettered, the stall cleared', async () => {
    const abort = new AbortController();
    const { events, stall } = listener();
    const result = await runBatch({
      messages: messages(['a', 'b']),
      handler: async () => {
        setImmediate(() => abort.abort());
        throw down();
      },
      retry: { ...retry, initialBackoffMs: 60_000, transientMaxBackoffMs: 60_000 },
      groupId: 'g',
      publish: async () => undefined,
      logger: silentLogger,
      signal: abort.signal,
      stall,
    });
    expect(result).toEqual({ done: 0, processed: 0, deadLettered: 0 });
    expect(events).toEqual(['stalled:econnrefused', 'recovered']);
  });
});
