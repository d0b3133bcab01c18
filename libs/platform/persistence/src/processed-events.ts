import type { EntityManager } from 'typeorm';

/**
 * Records that `consumer` processed these events, in the caller's transaction, and returns the ids
 * it had NOT processed before: the caller applies only those, so a redelivered batch changes nothing.
 * A concurrent replica claiming the same id waits on the primary key until this transaction ends.
 */
export async function claimEvents(
  manager: EntityManager,
  consumer: string,
  eventIds: string[],
): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  const rows = (await manager.query(
    `INSERT INTO processed_events (consumer, event_id)
     SELECT $1, id FROM unnest($2::text[]) AS id
     ON CONFLICT DO NOTHING
     RETURNING event_id`,
    [consumer, [...new Set(eventIds)]],
  )) as Array<{ event_id: string }>;
  return new Set(rows.map((r) => r.event_id));
}

/**
 * The items of a batch `consumer` has not processed before, each event id once: the first copy of an
 * event wins, a second copy in the same batch (a producer retry, a relay republishing after a crash)
 * and any copy processed earlier are left out. Claims the ids in the caller's transaction, as
 * `claimEvents` does; every consumer filters its batch through this, never through the id set itself.
 */
export async function claimFresh<T>(
  manager: EntityManager,
  consumer: string,
  items: T[],
  eventIdOf: (item: T) => string,
): Promise<T[]> {
  const fresh = await claimEvents(manager, consumer, items.map(eventIdOf));
  return items.filter((item) => fresh.delete(eventIdOf(item)));
}
