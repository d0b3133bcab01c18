import type { EntityManager } from 'typeorm';
import type { EncodedEvent } from '@klaxon/contracts';

/** Key in a query runner's `data`: this transaction wrote to the outbox. */
export const OUTBOX_WRITTEN = 'klaxonOutboxWritten';

/**
 * Stores events in the outbox in the caller's transaction: they are published if and only if the
 * state change that caused them commits (the relay does the publishing).
 */
export async function appendToOutbox(manager: EntityManager, events: EncodedEvent[]): Promise<void> {
  if (events.length === 0) return;
  // Marks the transaction, so this process's relay is woken the moment it commits (see OutboxRelay).
  const runner = manager.queryRunner;
  if (runner) (runner.data ??= {})[OUTBOX_WRITTEN] = true;
  await manager.query(
    `INSERT INTO outbox (topic, key, value, headers)
     SELECT topic, key, value, headers FROM unnest($1::text[], $2::text[], $3::bytea[], $4::jsonb[]) AS e(topic, key, value, headers)`,
    [
      events.map((e) => e.topic),
      events.map((e) => e.key),
      events.map((e) => e.value),
      events.map((e) => JSON.stringify(e.headers)),
    ],
  );
}
