import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { IncomingMessage } from './bus.port';
import { toIncoming, type KafkaConsumerTuning } from './kafka-message-bus';

export interface ReadTopicOptions {
  brokers: string[];
  clientId: string;
  topic: string;
  consumer: Pick<
    KafkaConsumerTuning,
    'sessionTimeout' | 'heartbeatInterval' | 'rebalanceTimeout' | 'maxWaitTimeInMs'
  >;
  /** Longest wait for the messages that were on the topic when the read began. */
  timeoutMs?: number;
}

/**
 * Reads a topic from its beginning up to its end as it was when called (the high watermarks), with a
 * throwaway consumer group that commits nothing, for tools (the dead-letter tool): what the topic
 * holds, partition by partition in offset order.
 */
export async function readTopicToEnd(o: ReadTopicOptions): Promise<IncomingMessage[]> {
  const kafka = new Kafka({ clientId: o.clientId, brokers: o.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    await admin.fetchTopicMetadata({ topics: [o.topic] });
    const offsets = await admin.fetchTopicOffsets(o.topic);
    ends = new Map(
      offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]),
    );
  } finally {
    await admin.disconnect();
  }
  if (ends.size === 0) return [];

  const consumer = kafka.consumer({ groupId: `klaxon-tool-${randomUUID()}`, ...o.consumer });
  const messages: IncomingMessage[] = [];
  const finished = new Set<number>();
  let resolveDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => {
        const end = ends.get(partition);
        if (end === undefined || BigInt(message.offset) >= end) return;
        messages.push(toIncoming(o.topic, partition, message));
        if (BigInt(message.offset) >= end - 1n) finished.add(partition);
        if (finished.size === ends.size) resolveDone();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`reading ${o.topic} to its end took longer than ${o.timeoutMs ?? 60_000} ms`)),
        o.timeoutMs ?? 60_000,
      );
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  } finally {
    await consumer.disconnect();
  }
  return messages.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
}
