import type { DataSource, EntityManager } from 'typeorm';

/** One original message that was dead-lettered, as the replay log knows it. */
export interface ReplayEntry {
  originalTopic: string;
  originalPartition: number;
  originalOffset: string;
  consumerGroup: string;
  key: string | null;
  errorCode: string;
  deadLetteredAt: string;
  deadLetterPartition: number;
  deadLetterOffset: string;
}

export interface RecordedReplay {
  originalPartition: number;
  originalOffset: string;
  replayedAt: string;
  replayedBy: string;
}

/**
 * Records the replay of `entry` in the caller's transaction; false when that original message was
 * replayed before (then nothing is published again). Commit only after the publish succeeded.
 */
export async function recordReplay(manager: EntityManager, entry: ReplayEntry, by: string): Promise<boolean> {
  const rows = (await manager.query(
    `INSERT INTO dead_letter_replays (original_topic, original_partition, original_offset, consumer_group,
       message_key, error_code, dead_lettered_at, dead_letter_partition, dead_letter_offset, replayed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT DO NOTHING
     RETURNING original_offset`,
    [
      entry.originalTopic,
      entry.originalPartition,
      entry.originalOffset,
      entry.consumerGroup,
      entry.key,
      entry.errorCode,
      entry.deadLetteredAt,
      entry.deadLetterPartition,
      entry.deadLetterOffset,
      by,
    ],
  )) as unknown[];
  return rows.length === 1;
}

/** The replays of one topic's dead letters so far. */
export async function replaysOf(dataSource: DataSource, originalTopic: string): Promise<RecordedReplay[]> {
  const rows = (await dataSource.query(
    `SELECT original_partition, original_offset::text AS original_offset, replayed_at, replayed_by
       FROM dead_letter_replays WHERE original_topic = $1 ORDER BY replayed_at`,
    [originalTopic],
  )) as Array<{
    original_partition: number;
    original_offset: string;
    replayed_at: Date;
    replayed_by: string;
  }>;
  return rows.map((r) => ({
    originalPartition: r.original_partition,
    originalOffset: r.original_offset,
    replayedAt: new Date(r.replayed_at).toISOString(),
    replayedBy: r.replayed_by,
  }));
}
