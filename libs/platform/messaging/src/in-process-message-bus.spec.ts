import { createMetricsRegistry, silentLogger } from '@klaxon/platform/observability';
import { eventually, describeMessageBusContract, message } from './bus.contract-suite';
import { PermanentMessageError } from './bus.port';
import { InProcessBusFullError, InProcessMessageBus, SETTLEMENT_ID_HEADER } from './in-process-message-bus';

describeMessageBusContract('in-process', {
  createBus: async () => new InProcessMessageBus({ logger: silentLogger }),
  waitMs: 10_000,
});

describe('InProcessMessageBus', () => {
  it('returns from publish before any consumer ran, and counts consumed and dead-lettered messages', async () => {
    const metrics = createMetricsRegistry('bus-test');
    const bus = new InProcessMessageBus({ logger: silentLogger, metrics });
    let handled = 0;
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async (batch) => {
        handled += batch.length;
        const bad = batch.filter((m) => m.value!.toString() === 'bad');
        return { rejected: bad.map((m) => ({ message: m, error: new PermanentMessageError('bad', 'bad') })) };
      },
    });
    await bus.publish(['a', 'bad', 'c'].map((v) => message('t', 'k', v)));
    expect(handled).toBe(0);
    await eventually(() => handled === 3, 5_000, 'the batch');
    await bus.close();
    const text = await metrics.metrics();
    expect(text).toMatch(/klaxon_messages_consumed_total\{topic="t",group="g",service="bus-test"\} 2/);
    expect(text).toMatch(/klaxon_messages_dead_lettered_total\{topic="t",group="g",service="bus-test"\} 1/);
  });
});

describe('InProcessMessageBus live views', () => {
  it('forgets a fromLatest group when its last member leaves, so it holds nothing back', async () => {
    const bus = new InProcessMessageBus({ logger: silentLogger });
    const got: string[] = [];
    const view = await bus.subscribe({
      groupId: 'live',
      topics: ['t'],
      fromLatest: true,
      handler: async (b) => void got.push(...b.map((m) => m.value!.toString())),
    });
    await bus.publish([message('t', 'k', 'one')]);
    await eventually(() => got.length === 1, 5_000, 'the first message');
    await view.stop();
    await bus.publish([message('t', 'k', 'missed')]);
    await bus.subscribe({
      groupId: 'live',
      topics: ['t'],
      fromLatest: true,
      handler: async (b) => void got.push(...b.map((m) => m.value!.toString())),
    });
    await bus.publish([message('t', 'k', 'two')]);
    await eventually(() => got.length === 2, 5_000, 'the second message');
    expect(got).toEqual(['one', 'two']);
    await bus.close();
  });
});

describe('InProcessMessageBus settlement (the embedded outbox keeps a row until this says so)', () => {
  it('settles a message once every group reading its topic committed it, and hides the header', async () => {
    const bus = new InProcessMessageBus({ logger: silentLogger });
    const settled: string[] = [];
    bus.onSettled((ids) => settled.push(...ids));
    const seenHeaders: Array<Record<string, string>> = [];
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    let slowGot = 0;
    await bus.subscribe({
      groupId: 'fast',
      topics: ['t'],
      handler: async (b) => void seenHeaders.push(...b.map((m) => m.headers)),
    });
    await bus.subscribe({
      groupId: 'slow',
      topics: ['t'],
      handler: async (b) => {
        slowGot += b.length;
        await slowGate;
      },
    });
    const tagged = (value: string, id: string) => {
      const m = message('t', 'k', value);
      return { ...m, headers: { ...m.headers, [SETTLEMENT_ID_HEADER]: id } };
    };
    await bus.publish([tagged('a', '1'), tagged('b', '2')]);
    await eventually(() => seenHeaders.length === 2 && slowGot === 2, 5_000, 'both groups holding the batch');
    // The fast group committed; the slow one has not: nothing is settled yet.
    expect(settled).toEqual([]);
    expect(bus.pendingCount()).toBe(2);
    releaseSlow();
    await eventually(() => settled.length === 2, 5_000, 'the settlement');
    expect(settled).toEqual(['1', '2']);
    expect(bus.pendingCount()).toBe(0);
    expect(seenHeaders.every((h) => !(SETTLEMENT_ID_HEADER in h))).toBe(true);
    await bus.close();
  });

  it('settles at once what no offset-keeping group reads (live views only, or nobody)', async () => {
    const bus = new InProcessMessageBus({ logger: silentLogger });
    const settled: string[] = [];
    bus.onSettled((ids) => settled.push(...ids));
    const tagged = (topic: string, id: string) => {
      const m = message(topic, 'k', id);
      return { ...m, headers: { ...m.headers, [SETTLEMENT_ID_HEADER]: id } };
    };
    await bus.publish([tagged('nobody', '1')]);
    expect([settled, bus.pendingCount()]).toEqual([['1'], 0]);
    const got: string[] = [];
    await bus.subscribe({
      groupId: 'live',
      topics: ['viewed'],
      fromLatest: true,
      handler: async (b) => void got.push(...b.map((m) => m.value!.toString())),
    });
    await bus.publish([tagged('viewed', '2')]);
    expect(settled).toEqual(['1', '2']);
    await eventually(() => got.length === 1, 5_000, 'the live view still sees it');
    await bus.close();
  });

  it('refuses a publish that would overfill a partition, whole, instead of dropping messages', async () => {
    const bus = new InProcessMessageBus({ logger: silentLogger, maxPendingPerPartition: 2 });
    await bus.publish([message('t', 'k', 'one')]);
    await expect(bus.publish([message('t', 'k', 'two'), message('t', 'k', 'three')])).rejects.toBeInstanceOf(
      InProcessBusFullError,
    );
    expect(bus.pendingCount()).toBe(1);
    const got: string[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async (b) => void got.push(...b.map((m) => m.value!.toString())),
    });
    await eventually(() => bus.pendingCount() === 0, 5_000, 'the one message held, committed');
    await bus.publish([message('t', 'k', 'two'), message('t', 'k', 'three')]);
    await eventually(() => got.length === 3, 5_000, 'the rest once there is room');
    expect(got).toEqual(['one', 'two', 'three']);
    await bus.close();
  });
});
