import { deadLetterRecordSchema, deadLetterTopic, type DeadLetterRecord } from '@klaxon/contracts';
import type { IncomingMessage, OutgoingMessage } from '@klaxon/platform/messaging';
import { recordReplay, replaysOf } from '@klaxon/platform/persistence';
import type { DataSource } from 'typeorm';

/** A dead letter as the tool shows it; `id` is `<partition>:<offset>` of the original message in its topic. */
export interface DeadLetterView {
  id: string;
  originalTopic: string;
  partition: number;
  offset: string;
  consumerGroup: string;
  key: string | null;
  error: { code: string; message: string };
  attempts: number;
  deadLetteredAt: string;
  deadLetter: { topic: string; partition: number; offset: string };
  replayedAt?: string;
  replayedBy?: string;
}

export interface DeadLetterFilter {
  /** The original topic (`complaints.received.v1`) or its dead-letter topic (`….dlq`). */
  topic: string;
  /** Only dead letters written at or after this instant (ISO 8601). */
  since?: string;
  ids?: string[];
}

export interface DeadLetterToolDeps {
  /** Reads a topic from its beginning to its current end. */
  readTopic: (topic: string) => Promise<IncomingMessage[]>;
  publish: (messages: OutgoingMessage[]) => Promise<void>;
  dataSource: DataSource;
}

export interface ReplayResult {
  replayed: string[];
  /** Replayed before (the log says when): not published again. */
  alreadyReplayed: string[];
  /** Records of the dead-letter topic that are not dead-letter records. */
  unreadable: number;
}

export const originalTopicOf = (topic: string) => topic.replace(/\.dlq$/, '');

function view(m: IncomingMessage, r: DeadLetterRecord): DeadLetterView {
  return {
    id: `${r.partition}:${r.offset}`,
    originalTopic: r.originalTopic,
    partition: r.partition,
    offset: r.offset,
    consumerGroup: r.consumerGroup,
    key: r.key,
    error: r.error,
    attempts: r.attempts,
    deadLetteredAt: r.deadLetteredAt,
    deadLetter: { topic: m.topic, partition: m.partition, offset: m.offset },
  };
}

/** The dead-letter tool: list, show and replay the dead letters of one topic. */
export class DeadLetterTool {
  constructor(private readonly deps: DeadLetterToolDeps) {}

  private async load(filter: DeadLetterFilter) {
    const topic = originalTopicOf(filter.topic);
    const raw = await this.deps.readTopic(deadLetterTopic(topic));
    const records: Array<{ view: DeadLetterView; record: DeadLetterRecord }> = [];
    let unreadable = 0;
    for (const m of raw) {
      let parsed;
      try {
        parsed = deadLetterRecordSchema.safeParse(JSON.parse(m.value?.toString() ?? 'null'));
      } catch {
        parsed = { success: false as const };
      }
      if (!parsed.success || parsed.data.originalTopic !== topic) {
        unreadable++;
        continue;
      }
      records.push({ view: view(m, parsed.data), record: parsed.data });
    }
    const since = filter.since ? Date.parse(filter.since) : -Infinity;
    const ids = filter.ids?.length ? new Set(filter.ids) : null;
    const replays = new Map(
      (await replaysOf(this.deps.dataSource, topic)).map((r) => [
        `${r.originalPartition}:${r.originalOffset}`,
        r,
      ]),
    );
    const selected = records.filter(
      ({ view: v }) => Date.parse(v.deadLetteredAt) >= since && (!ids || ids.has(v.id)),
    );
    for (const { view: v } of selected) {
      const r = replays.get(v.id);
      if (r) Object.assign(v, { replayedAt: r.replayedAt, replayedBy: r.replayedBy });
    }
    return { topic, selected, unreadable };
  }

  async list(filter: DeadLetterFilter): Promise<DeadLetterView[]> {
    return (await this.load(filter)).selected.map((s) => s.view);
  }

  /** The dead letters with these ids, with the original value (JSON when it is JSON, else base64). */
  async show(
    filter: DeadLetterFilter,
  ): Promise<Array<DeadLetterView & { headers: Record<string, string>; value: unknown }>> {
    return (await this.load(filter)).selected.map(({ view: v, record }) => {
      const bytes = record.valueBase64 === null ? null : Buffer.from(record.valueBase64, 'base64');
      let value: unknown = bytes === null ? null : bytes.toString('base64');
      try {
        if (bytes) value = JSON.parse(bytes.toString('utf8'));
      } catch {
        // not JSON: stays base64
      }
      return { ...v, headers: record.headers, value };
    });
  }

  /**
   * Puts each selected dead letter back on its original topic with its original key, value and
   * headers (plus `klaxon-replayed-from`), once: the replay is recorded in the same transaction that
   * waits for the publish, so asking again (or a second dead letter of the same message from another
   * consumer group) publishes nothing. The consumers' `processed_events` make a replayed event that
   * some group already applied a no-op there.
   */
  async replay(filter: DeadLetterFilter, by: string): Promise<ReplayResult> {
    const { selected, unreadable } = await this.load(filter);
    const result: ReplayResult = { replayed: [], alreadyReplayed: [], unreadable };
    for (const { view: v, record } of selected) {
      const fresh = await this.deps.dataSource.transaction(async (manager) => {
        const recorded = await recordReplay(
          manager,
          {
            originalTopic: v.originalTopic,
            originalPartition: v.partition,
            originalOffset: v.offset,
            consumerGroup: v.consumerGroup,
            key: v.key,
            errorCode: v.error.code,
            deadLetteredAt: v.deadLetteredAt,
            deadLetterPartition: v.deadLetter.partition,
            deadLetterOffset: v.deadLetter.offset,
          },
          by,
        );
        if (!recorded) return false;
        await this.deps.publish([
          {
            topic: v.originalTopic,
            key: v.key,
            value: record.valueBase64 === null ? null : Buffer.from(record.valueBase64, 'base64'),
            headers: {
              ...record.headers,
              'klaxon-replayed-from': `${v.deadLetter.topic}/${v.deadLetter.partition}/${v.deadLetter.offset}`,
            },
          } as OutgoingMessage,
        ]);
        return true;
      });
      (fresh ? result.replayed : result.alreadyReplayed).push(v.id);
    }
    return result;
  }
}
