import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { detectSpike, reviewDue } from '@klaxon/routing/domain';
import { newId } from './customer-linker';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';

/**
 * Opens a root-cause review at N complaints of a category in the window, and flags a spike against its
 * usual rate. Routing marks the categories it routed (per process); the scheduler's pass counts them,
 * not the routing transaction, so counting never slows assignment down.
 */
@Injectable()
export class RootCauseDetector {
  /** Categories routed since the last root-cause pass (per process; the scheduler drains it). */
  private readonly dirtyCategories = new Set<string>();

  constructor(@Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions) {}

  markDirty(category: string): void {
    this.dirtyCategories.add(category);
  }

  /** The categories whose counts changed since the last call, forgotten once taken. */
  takeDirtyCategories(): string[] {
    const out = [...this.dirtyCategories];
    this.dirtyCategories.clear();
    return out;
  }

  /** One pass over these categories; a per-category lock keeps two routers from flagging one spike twice. */
  async checkRootCauses(manager: EntityManager, categories: string[], now: Date): Promise<number> {
    if (categories.length === 0) return 0;
    const p = this.options.rootCause;
    const windowStart = new Date(now.getTime() - p.reviewWindowDays * 86_400_000);
    const spikeStart = new Date(now.getTime() - p.spikeWindowHours * 3_600_000);
    const baselineStart = new Date(spikeStart.getTime() - p.baselineDays * 86_400_000);
    const sorted = [...categories].sort();
    await manager.query(
      `SELECT count(pg_advisory_xact_lock(hashtextextended('root-cause:' || c, 7401))) FROM (SELECT c FROM unnest($1::text[]) AS c ORDER BY c) s`,
      [sorted],
    );
    const rows = (await manager.query(
      `SELECT k.category,
              (SELECT count(*)::int FROM complaints c WHERE c.category = k.category AND c.received_at > $2 AND c.received_at <= $5 AND coalesce(c.complaint_label, 'explicit') <> 'none') AS in_window,
              (SELECT count(*)::int FROM complaints c WHERE c.category = k.category AND c.received_at > $3 AND c.received_at <= $5 AND coalesce(c.complaint_label, 'explicit') <> 'none') AS recent,
              (SELECT count(*)::int FROM complaints c WHERE c.category = k.category AND c.received_at > $4 AND c.received_at <= $3 AND coalesce(c.complaint_label, 'explicit') <> 'none') AS baseline,
              EXISTS (SELECT 1 FROM root_cause_items r WHERE r.category = k.category AND r.kind = 'review' AND r.status = 'open') AS open_review,
              EXISTS (SELECT 1 FROM root_cause_items r WHERE r.category = k.category AND r.kind = 'spike' AND r.opened_at > $3) AS recent_spike
         FROM unnest($1::text[]) AS k(category)`,
      [
        sorted,
        windowStart.toISOString(),
        spikeStart.toISOString(),
        baselineStart.toISOString(),
        now.toISOString(),
      ],
    )) as Array<{
      category: string;
      in_window: number;
      recent: number;
      baseline: number;
      open_review: boolean;
      recent_spike: boolean;
    }>;
    let opened = 0;
    for (const r of rows) {
      if (reviewDue(r.in_window, r.open_review, p)) {
        const ids = (
          (await manager.query(
            `SELECT id FROM complaints WHERE category = $1 AND received_at > $2 AND received_at <= $3 AND coalesce(complaint_label, 'explicit') <> 'none' ORDER BY received_at, id LIMIT 1000`,
            [r.category, windowStart.toISOString(), now.toISOString()],
          )) as Array<{ id: string }>
        ).map((x) => x.id);
        await manager.query(
          `INSERT INTO root_cause_items (id, kind, category, opened_at, window_start, complaint_count, complaint_ids, reason)
           VALUES ($1, 'review', $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
          [
            newId('rca'),
            r.category,
            now.toISOString(),
            windowStart.toISOString(),
            r.in_window,
            JSON.stringify(ids),
            `${r.in_window} ${r.category} complaints within ${p.reviewWindowDays} days`,
          ],
        );
        opened += 1;
      }
      const spike = detectSpike(r.recent, r.baseline, p);
      if (spike.spike && !r.recent_spike) {
        await manager.query(
          `INSERT INTO root_cause_items (id, kind, category, opened_at, window_start, complaint_count, expected, reason) VALUES ($1, 'spike', $2, $3, $4, $5, $6, $7)`,
          [
            newId('spk'),
            r.category,
            now.toISOString(),
            spikeStart.toISOString(),
            r.recent,
            spike.expected,
            `spike: ${spike.reason}`,
          ],
        );
        opened += 1;
      }
    }
    return opened;
  }
}
