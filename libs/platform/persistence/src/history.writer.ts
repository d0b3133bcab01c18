import type { EntityManager } from 'typeorm';

/** One state change of a complaint: what happened, who or what did it, and why. */
export interface HistoryEntry {
  complaintId: string;
  at: Date | string;
  kind: string;
  actor: string;
  reason?: string | null;
  data?: unknown;
  /** The event that caused it: a replay of that event adds nothing (unique per complaint, kind, event). */
  eventId: string;
  correlationId?: string | null;
}

/**
 * Appends history rows in the caller's transaction, in one statement. Columns go as typed arrays
 * (unnest): cheaper for PostgreSQL than one JSON document taken apart row by row, and history is
 * the table every stage writes most.
 */
export async function appendHistory(manager: EntityManager, entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await manager.query(
    `INSERT INTO complaint_history (complaint_id, at, kind, actor, reason, data, event_id, correlation_id)
     SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::jsonb[], $7::text[], $8::text[])
     ON CONFLICT DO NOTHING`,
    [
      entries.map((e) => e.complaintId),
      entries.map((e) => (e.at instanceof Date ? e.at.toISOString() : e.at)),
      entries.map((e) => e.kind),
      entries.map((e) => e.actor),
      entries.map((e) => e.reason ?? null),
      entries.map((e) => (e.data === undefined || e.data === null ? null : JSON.stringify(e.data))),
      entries.map((e) => e.eventId),
      entries.map((e) => e.correlationId ?? null),
    ],
  );
}
