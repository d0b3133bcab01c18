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

/** Appends history rows in the caller's transaction, in one statement. */
export async function appendHistory(manager: EntityManager, entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return;
  const rows = entries.map((e) => ({
    complaint_id: e.complaintId,
    at: e.at instanceof Date ? e.at.toISOString() : e.at,
    kind: e.kind,
    actor: e.actor,
    reason: e.reason ?? null,
    data: e.data ?? null,
    event_id: e.eventId,
    correlation_id: e.correlationId ?? null,
  }));
  await manager.query(
    `INSERT INTO complaint_history (complaint_id, at, kind, actor, reason, data, event_id, correlation_id)
     SELECT complaint_id, at, kind, actor, reason, data, event_id, correlation_id
       FROM jsonb_to_recordset($1::jsonb) AS r(complaint_id text, at timestamptz, kind text, actor text, reason text, data jsonb, event_id text, correlation_id text)
     ON CONFLICT DO NOTHING`,
    [JSON.stringify(rows)],
  );
}
