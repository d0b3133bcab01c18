import { createMetricsRegistry, silentLogger } from '@klaxon/platform/observability';
import { eventually, describeMessageBusContract, message } from './bus.contract-suite';
import { PermanentMessageError } from './bus.port';
import { InProcessMessageBus } from './in-process-message-bus';

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
