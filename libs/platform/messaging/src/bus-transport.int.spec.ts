import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Payload } from '@nestjs/microservices';
import { ComplaintReceivedEvent, encodeEvent, type ComplaintReceived } from '@klaxon/contracts';
import { silentLogger } from '@klaxon/platform/observability';
import { startKafkaMockCluster, type KafkaMockCluster } from '@klaxon/testing';
import { eventually, readDeadLetters } from './bus.contract-suite';
import { PermanentMessageError, type MessageBus } from './bus.port';
import {
  BusTransportServer,
  ConsumeEvents,
  type ConsumedBatchOutcome,
  type ConsumedEvent,
} from './bus-transport.server';
import { InProcessMessageBus } from './in-process-message-bus';
import { KafkaMessageBus } from './kafka-message-bus';

jest.setTimeout(60_000);

const GROUP = `transport-test-${randomUUID().slice(0, 8)}`;
const received: ConsumedEvent<ComplaintReceived>[][] = [];

@Controller()
class ReceivedController {
  @ConsumeEvents(ComplaintReceivedEvent, {
    group: GROUP,
    retry: { attempts: 2, initialBackoffMs: 10, maxBackoffMs: 20 },
  })
  async onReceived(@Payload() batch: ConsumedEvent<ComplaintReceived>[]): Promise<ConsumedBatchOutcome> {
    if (batch.some((e) => e.envelope.data.text === 'throw me'))
      throw Object.assign(new Error('handler exploded'), { code: 'boom' });
    const rejected = batch.filter((e) => e.envelope.data.text === 'reject me');
    received.push(batch.filter((e) => !rejected.includes(e)));
    return {
      rejected: rejected.map((event) => ({
        event,
        error: new PermanentMessageError('not-for-us', 'rejected by the handler'),
      })),
    };
  }
}

@Module({ controllers: [ReceivedController] })
class ConsumerModule {}

let cluster: KafkaMockCluster;
beforeAll(async () => {
  cluster = await startKafkaMockCluster({ brokers: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

const buses: Array<[string, () => MessageBus]> = [
  ['in-process', () => new InProcessMessageBus({ logger: silentLogger })],
  [
    'kafka',
    () =>
      new KafkaMessageBus({
        clientId: 'transport-test',
        brokers: cluster.brokers,
        logger: silentLogger,
        consumer: {
          sessionTimeout: 6_000,
          heartbeatInterval: 500,
          rebalanceTimeout: 6_000,
          maxWaitTimeInMs: 100,
          partitionsConsumedConcurrently: 1,
        },
      }),
  ],
];

describe.each(buses)('BusTransportServer on the %s bus', (_name, createBus) => {
  let bus: MessageBus;
  let app: INestMicroservice;

  beforeAll(async () => {
    received.length = 0;
    bus = createBus();
    await bus.ensureTopics([{ name: ComplaintReceivedEvent.topic, partitions: 4, retentionDays: 1 }]);
    app = await NestFactory.createMicroservice(ConsumerModule, {
      strategy: new BusTransportServer(bus, { logger: silentLogger, batchSize: 50 }),
      logger: false,
    });
    await app.listen();
  });
  afterAll(async () => {
    await app?.close();
    await bus?.close();
  });

  it('hands decoded batches to the @ConsumeEvents handler and dead-letters what does not decode or fails alone', async () => {
    const complaintId = `cmp_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
    const event = (text: string) =>
      encodeEvent(ComplaintReceivedEvent, { ...ComplaintReceivedEvent.example, complaintId, text });
    const topic = ComplaintReceivedEvent.topic;
    const schemaMismatch = JSON.parse(event('x').value.toString());
    schemaMismatch.data.channel = 'carrier-pigeon';
    const dlq = await readDeadLetters(bus, topic);

    await bus.publish([
      event('first'),
      { topic, key: complaintId, value: Buffer.from('{"not json'), headers: {} },
      event('second'),
      { topic, key: complaintId, value: Buffer.from(JSON.stringify(schemaMismatch)), headers: {} },
      event('reject me'),
      event('throw me'),
      event('third'),
    ]);

    await eventually(
      () => received.flat().length >= 3 && dlq.records.length >= 4,
      30_000,
      'the good events and four dead letters',
    );
    await dlq.subscription.stop();

    const texts = received.flat().map((e) => e.envelope.data.text);
    expect(texts).toEqual(['first', 'second', 'third']);
    for (const e of received.flat()) {
      expect(e.envelope.data.complaintId).toBe(complaintId);
      expect(e.message.topic).toBe(topic);
    }
    const byCode = Object.fromEntries(dlq.records.map((r) => [r.error.code, r]));
    expect(Object.keys(byCode).sort()).toEqual(['boom', 'malformed-json', 'not-for-us', 'schema-mismatch']);
    expect(Buffer.from(byCode['malformed-json'].valueBase64!, 'base64').toString()).toBe('{"not json');
    expect(byCode['malformed-json']).toMatchObject({
      consumerGroup: GROUP,
      attempts: 1,
      originalTopic: topic,
    });
    expect(byCode['schema-mismatch'].error.message).toContain('channel');
    expect(byCode['not-for-us']).toMatchObject({
      attempts: 1,
      error: { message: 'rejected by the handler' },
    });
    expect(byCode['boom']).toMatchObject({ attempts: 2, error: { message: 'handler exploded' } });
  });
});
