import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { appendHistory, returnedRows, type HistoryEntry } from '@klaxon/platform/persistence';
import {
  detectSpike,
  dueAfterWorkingDays,
  reviewDue,
  teamForCategory,
  type TeamMember,
} from '@klaxon/routing/domain';
import { newId } from './customer-linker';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';
import { loadRoutingConfig, readMembersById, type RoutingConfig } from './routing.repository';

const NOT_NONE = `coalesce(c.complaint_label, 'explicit') <> 'none'`;

/**
 * Opens a root-cause review at N complaints of a category (optionally per unit) in the window, owned
 * by the lead of the category's team (or the configured owner) and due in N of their working days,
 * and flags a spike against the category's usual rate as a proposal to inform the customers. The
 * complaints that come in later link to the open review (and to a spike during its period). Routing
 * marks the categories it routed (per process); the scheduler's pass counts them, not the routing
 * transaction, so counting never slows assignment down.
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

  /** One pass over these categories; a per-category lock keeps two routers from opening one item twice. */
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
    const config = await loadRoutingConfig(manager);
    let opened = 0;

    const groups = (await manager.query(
      `SELECT c.category, ${p.byUnit ? 'c.unit' : 'NULL::text AS unit'}, count(*)::int AS in_window,
              EXISTS (SELECT 1 FROM root_cause_items r WHERE r.category = c.category AND r.kind = 'review' AND r.status = 'open'
                         ${p.byUnit ? `AND coalesce(r.unit, '') = coalesce(c.unit, '')` : ''}) AS open_review
         FROM complaints c WHERE c.category = ANY($1) AND c.received_at > $2 AND c.received_at <= $3 AND ${NOT_NONE}
        GROUP BY c.category${p.byUnit ? ', c.unit' : ''} ORDER BY c.category${p.byUnit ? ', c.unit' : ''}`,
      [sorted, windowStart.toISOString(), now.toISOString()],
    )) as Array<{ category: string; unit: string | null; in_window: number; open_review: boolean }>;
    for (const g of groups) {
      if (!reviewDue(g.in_window, g.open_review, p)) continue;
      const { teamId, owner } = await this.ownerFor(manager, config, g.category, g.unit, now);
      const due = dueAfterWorkingDays(
        owner?.workingHours ?? { timeZone: 'Europe/Amsterdam', days: {} },
        owner?.absences ?? [],
        now,
        p.reviewDueWorkingDays,
      );
      const id = await this.insertItem(manager, {
        kind: 'review',
        category: g.category,
        unit: g.unit,
        openedAt: now,
        windowStart,
        count: g.in_window,
        expected: null,
        reason: `${g.in_window} ${g.category}${g.unit ? ` (${g.unit})` : ''} complaints within ${p.reviewWindowDays} days`,
        teamId,
        owner,
        dueAt: due,
      });
      if (id) {
        opened += 1;
        await this.linkTrigger(manager, id, g.category, g.unit, windowStart, now);
      }
    }

    const spikes = (await manager.query(
      `SELECT k.category,
              (SELECT count(*)::int FROM complaints c WHERE c.category = k.category AND c.received_at > $2 AND c.received_at <= $4 AND ${NOT_NONE}) AS recent,
              (SELECT count(*)::int FROM complaints c WHERE c.category = k.category AND c.received_at > $3 AND c.received_at <= $2 AND ${NOT_NONE}) AS baseline,
              EXISTS (SELECT 1 FROM root_cause_items r WHERE r.category = k.category AND r.kind = 'spike' AND r.opened_at > $2) AS recent_spike
         FROM unnest($1::text[]) AS k(category)`,
      [sorted, spikeStart.toISOString(), baselineStart.toISOString(), now.toISOString()],
    )) as Array<{ category: string; recent: number; baseline: number; recent_spike: boolean }>;
    for (const r of spikes) {
      const spike = detectSpike(r.recent, r.baseline, p);
      if (!spike.spike || r.recent_spike) continue;
      const { teamId, owner } = await this.ownerFor(manager, config, r.category, null, now);
      const id = await this.insertItem(manager, {
        kind: 'spike',
        category: r.category,
        unit: null,
        openedAt: now,
        windowStart: spikeStart,
        count: r.recent,
        expected: spike.expected,
        reason: `spike: ${spike.reason}`,
        teamId,
        owner,
        dueAt: null,
      });
      if (id) {
        opened += 1;
        await this.linkTrigger(manager, id, r.category, null, spikeStart, now);
      }
    }

    await this.linkLater(manager, sorted, now);
    return opened;
  }

  /** Who owns an item of this category: the configured owner, else the lead of the category's team. */
  private async ownerFor(
    manager: EntityManager,
    config: RoutingConfig,
    category: string,
    unit: string | null,
    now: Date,
  ): Promise<{ teamId: string; owner: TeamMember | undefined }> {
    const teamId = teamForCategory(config, category, unit);
    const ownerId = this.options.rootCause.ownerId ?? config.teams.find((t) => t.id === teamId)?.leadId;
    const [owner] = ownerId ? await readMembersById(manager, [ownerId], now) : [];
    return { teamId, owner };
  }

  private async insertItem(
    manager: EntityManager,
    i: {
      kind: 'review' | 'spike';
      category: string;
      unit: string | null;
      openedAt: Date;
      windowStart: Date;
      count: number;
      expected: number | null;
      reason: string;
      teamId: string;
      owner: TeamMember | undefined;
      dueAt: Date | null;
    },
  ): Promise<string | null> {
    const id = newId(i.kind === 'review' ? 'rca' : 'spk');
    const rows = returnedRows<{ id: string }>(
      await manager.query(
        `INSERT INTO root_cause_items (id, kind, category, unit, opened_at, window_start, complaint_count, expected, reason, team_id, owner_id, owner_name, due_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING RETURNING id`,
        [
          id,
          i.kind,
          i.category,
          i.unit,
          i.openedAt.toISOString(),
          i.windowStart.toISOString(),
          i.count,
          i.expected,
          i.reason,
          i.teamId,
          i.owner?.id ?? null,
          i.owner?.name ?? null,
          i.dueAt?.toISOString() ?? null,
        ],
      ),
    );
    return rows[0]?.id ?? null;
  }

  /** The complaints that opened the item. */
  private async linkTrigger(
    manager: EntityManager,
    itemId: string,
    category: string,
    unit: string | null,
    from: Date,
    now: Date,
  ): Promise<void> {
    const linked = returnedRows<{ item_id: string; complaint_id: string }>(
      await manager.query(
        `INSERT INTO root_cause_links (item_id, complaint_id, linked_at, how)
         SELECT $1, c.id, $5, 'trigger' FROM complaints c
          WHERE c.category = $2 AND (NOT $6 OR c.unit IS NOT DISTINCT FROM $3) AND c.received_at > $4 AND c.received_at <= $5 AND ${NOT_NONE}
          ORDER BY c.received_at, c.id LIMIT 1000
         ON CONFLICT DO NOTHING RETURNING item_id, complaint_id`,
        [itemId, category, unit, from.toISOString(), now.toISOString(), this.options.rootCause.byUnit],
      ),
    );
    await this.recordLinks(manager, linked, now);
  }

  /**
   * Complaints of the same kind that came in after an item opened link to it: to an open review for as
   * long as it is open, to an open spike during its period.
   */
  private async linkLater(manager: EntityManager, categories: string[], now: Date): Promise<void> {
    const linked = returnedRows<{ item_id: string; complaint_id: string }>(
      await manager.query(
        `INSERT INTO root_cause_links (item_id, complaint_id, linked_at, how)
         SELECT r.id, c.id, $2, 'later' FROM root_cause_items r
           JOIN complaints c ON c.category = r.category AND (NOT $4 OR r.kind = 'spike' OR c.unit IS NOT DISTINCT FROM r.unit)
                            AND c.received_at > r.window_start AND c.received_at <= $2 AND ${NOT_NONE}
          WHERE r.status = 'open' AND r.category = ANY($1)
            AND (r.kind = 'review' OR c.received_at <= r.opened_at + make_interval(hours => $3::int))
         ON CONFLICT DO NOTHING RETURNING item_id, complaint_id`,
        [
          categories,
          now.toISOString(),
          this.options.rootCause.spikeWindowHours,
          this.options.rootCause.byUnit,
        ],
      ),
    );
    await this.recordLinks(manager, linked, now);
  }

  /** Each linked complaint's history says which item it is part of, and who owns it. */
  private async recordLinks(
    manager: EntityManager,
    linked: Array<{ item_id: string; complaint_id: string }>,
    now: Date,
  ): Promise<void> {
    if (!linked.length) return;
    const items = (await manager.query(
      `SELECT id, kind, reason, owner_name, due_at FROM root_cause_items WHERE id = ANY($1)`,
      [[...new Set(linked.map((l) => l.item_id))]],
    )) as Array<{ id: string; kind: string; reason: string; owner_name: string | null; due_at: Date | null }>;
    const byId = new Map(items.map((i) => [i.id, i]));
    const entries: HistoryEntry[] = linked.map((l) => {
      const item = byId.get(l.item_id)!;
      const what = item.kind === 'review' ? 'root-cause review' : 'spike (incident proposal)';
      return {
        complaintId: l.complaint_id,
        at: now,
        kind: 'root-cause-linked',
        actor: 'router',
        reason: `part of ${what} ${item.id}: ${item.reason}${item.owner_name ? `; owner ${item.owner_name}` : ''}${item.due_at ? `, due ${new Date(item.due_at).toISOString()}` : ''}`,
        data: { itemId: item.id, kind: item.kind },
        eventId: item.id,
      };
    });
    await appendHistory(manager, entries);
  }
}
