import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { decodeEvent, type EventContract, type EventEnvelope } from '@klaxon/contracts';
import { MOCK_CLUSTER_CONSUMER_TUNING } from './kafka-mock-cluster';

export interface EventReader<T> {
  /** Every decodable event read so far, in arrival order. */
  events: Array<EventEnvelope<T>>;
  stop(): Promise<void>;
}

/** Reads one contract's topic from the beginning, as a test's own consumer group, decoding each event. */
export async function readEvents<T>(
  brokers: string[],
  contract: EventContract<string, T>,
  groupId: string,
): Promise<EventReader<T>> {
  const consumer: Consumer = new Kafka({ clientId: groupId, brokers, logLevel: logLevel.NOTHING }).consumer({
    groupId,
    ...MOCK_CLUSTER_CONSUMER_TUNING,
  });
  const events: Array<EventEnvelope<T>> = [];
  await consumer.connect();
  await consumer.subscribe({ topic: contract.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const decoded = decodeEvent(contract, message.value);
      if (decoded.ok) events.push(decoded.envelope);
    },
  });
  return { events, stop: () => consumer.disconnect() };
}
