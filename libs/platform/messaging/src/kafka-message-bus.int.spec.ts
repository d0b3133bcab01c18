import { silentLogger } from '@klaxon/platform/observability';
import { startKafkaMockCluster, type KafkaMockCluster } from '@klaxon/testing';
import { describeMessageBusContract } from './bus.contract-suite';
import { KafkaMessageBus } from './kafka-message-bus';

jest.setTimeout(60_000);

let cluster: KafkaMockCluster;
beforeAll(async () => {
  cluster = await startKafkaMockCluster({ brokers: 3 });
});
afterAll(async () => {
  await cluster?.stop();
});

describeMessageBusContract('kafka (mock cluster, 3 brokers)', {
  createBus: async () => {
    const bus = new KafkaMessageBus({
      clientId: 'contract-test',
      brokers: cluster.brokers,
      logger: silentLogger,
      consumer: {
        sessionTimeout: 6_000,
        heartbeatInterval: 500,
        rebalanceTimeout: 6_000,
        maxWaitTimeInMs: 100,
        partitionsConsumedConcurrently: 2,
      },
    });
    await bus.ensureTopics([{ name: 'contract.bootstrap', partitions: 4, retentionDays: 1 }]);
    return bus;
  },
  waitMs: 30_000,
});
