import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import { DATA_SOURCE, appendHistory, type HistoryEntry } from '@klaxon/platform/persistence';
import { ApiError, CLOCK, type Clock } from '@klaxon/platform/runtime';
import { linkGroups, type IdentityKind } from '@klaxon/routing/domain';
import { newId, repeatCounts } from './customer-linker';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';
import { iso } from './routing.rows';

export interface CustomerView {
  id: string;
  createdAt: string;
  identities: Array<{ kind: string; value: string; firstSeenAt: string }>;
  /** The evidence: which complaint carried which identity. Undone links stay listed with `undoneAt`. */
  links: Array<{
    id: string;
    complaintId: string;
    kind: string;
    value: string;
    createdAt: string;
    undoneAt: string | null;
    undoneBy: string | null;
  }>;
  complaints: Array<{
    id: string;
    channel: string;
    receivedAt: string;
    status: string;
    category: string | null;
    priority: string | null;
    ownerId: string | null;
  }>;
}

export interface UndoResult {
  customer: CustomerView;
  /** Customers split off because nothing links them to this one any more. */
  splitInto: string[];
  /** Every complaint whose count changed, and the repeat-complainant escalations withdrawn. */
  recount: Array<{
    complaintId: string;
    customerId: string;
    complaintsInWindow: number;
    escalationWithdrawn: boolean;
  }>;
}

type LinkRow = {
  id: string;
  customer_id: string;
  complaint_id: string;
  kind: IdentityKind;
  value: string;
  created_at: Date;
  undone_at: Date | null;
  undone_by: string | null;
};

/** Customers as linked from their identities; a wrong link is undone and what depended on it recounted. */
@Injectable()
export class CustomersService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions,
  ) {}

  async get(id: string, manager: EntityManager = this.dataSource.manager): Promise<CustomerView> {
    const [customer] = (await manager.query('SELECT id, created_at FROM customers WHERE id = $1', [
      id,
    ])) as Array<{ id: string; created_at: Date }>;
    if (!customer) throw ApiError.notFound('customer', id);
    // Sequential: the manager may be a transaction's single connection.
    const identities = (await manager.query(
      'SELECT kind, value, first_seen_at FROM customer_identities WHERE customer_id = $1 ORDER BY kind, value',
      [id],
    )) as Array<{ kind: string; value: string; first_seen_at: Date }>;
    const links = (await manager.query(
      'SELECT * FROM customer_links WHERE customer_id = $1 ORDER BY created_at, id',
      [id],
    )) as LinkRow[];
    const complaints = (await manager.query(
      'SELECT id, channel, received_at, status, category, priority, owner_id FROM complaints WHERE customer_id = $1 ORDER BY received_at, id',
      [id],
    )) as Array<{
      id: string;
      channel: string;
      received_at: Date;
      status: string;
      category: string | null;
      priority: string | null;
      owner_id: string | null;
    }>;
    return {
      id: customer.id,
      createdAt: iso(customer.created_at),
      identities: identities.map((i) => ({
        kind: i.kind,
        value: i.value,
        firstSeenAt: iso(i.first_seen_at),
      })),
      links: links.map((l) => ({
        id: l.id,
        complaintId: l.complaint_id,
        kind: l.kind,
        value: l.value,
        createdAt: iso(l.created_at),
        undoneAt: l.undone_at ? iso(l.undone_at) : null,
        undoneBy: l.undone_by,
      })),
      complaints: complaints.map((c) => ({
        id: c.id,
        channel: c.channel,
        receivedAt: iso(c.received_at),
        status: c.status,
        category: c.category,
        priority: c.priority,
        ownerId: c.owner_id,
      })),
    };
  }

  /**
   * Undoes one link (this complaint did not make this identity this customer's). What no longer holds
   * together is split off into customers of its own, an identity left without evidence is forgotten,
   * and every affected complaint is recounted: a repeat-complainant escalation that no longer holds is
   * withdrawn in its history.
   */
  async undoLink(customerId: string, linkId: string, actor: string): Promise<UndoResult> {
    return this.dataSource.transaction(async (manager) => {
      const keys = (
        (await manager.query('SELECT kind, value FROM customer_identities WHERE customer_id = $1', [
          customerId,
        ])) as Array<{ kind: string; value: string }>
      )
        .map((i) => `${i.kind}:${i.value}`)
        .sort();
      await manager.query(
        `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 7401))) FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) s`,
        [keys],
      );
      const [link] = (await manager.query(
        'SELECT * FROM customer_links WHERE id = $1 AND customer_id = $2 FOR UPDATE',
        [linkId, customerId],
      )) as LinkRow[];
      if (!link) throw ApiError.notFound('link', `${linkId} of customer ${customerId}`);
      if (link.undone_at)
        throw ApiError.conflict('link-already-undone', `link ${linkId} was undone at ${iso(link.undone_at)}`);
      const now = this.clock.now();
      await manager.query('UPDATE customer_links SET undone_at = $2, undone_by = $3 WHERE id = $1', [
        linkId,
        now.toISOString(),
        actor,
      ]);

      const complaints = (await manager.query(
        'SELECT id, received_at FROM complaints WHERE customer_id = $1 ORDER BY received_at, id',
        [customerId],
      )) as Array<{ id: string; received_at: Date }>;
      const active = (await manager.query(
        'SELECT * FROM customer_links WHERE customer_id = $1 AND undone_at IS NULL',
        [customerId],
      )) as LinkRow[];
      const order = complaints.map((c) => c.id);
      const groups = linkGroups(
        active.map((l) => ({ complaintId: l.complaint_id, kind: l.kind, value: l.value })),
        order,
      );
      const grouped = new Set(groups.flatMap((g) => g.complaintIds));
      // A complaint whose only link was undone stands alone.
      for (const c of order.filter((id) => !grouped.has(id)))
        groups.push({ complaintIds: [c], identities: [] });
      groups.sort((a, b) => order.indexOf(a.complaintIds[0]) - order.indexOf(b.complaintIds[0]));

      const splitInto: string[] = [];
      for (const g of groups.slice(1)) {
        const id = newId('cus');
        splitInto.push(id);
        await manager.query('INSERT INTO customers (id) VALUES ($1)', [id]);
        await manager.query('UPDATE complaints SET customer_id = $2 WHERE id = ANY($1)', [
          g.complaintIds,
          id,
        ]);
        await manager.query(
          'UPDATE customer_links SET customer_id = $2 WHERE customer_id = $3 AND complaint_id = ANY($1)',
          [g.complaintIds, id, customerId],
        );
        await manager.query(
          `UPDATE customer_identities SET customer_id = $2 WHERE customer_id = $3 AND kind || ':' || value = ANY($1)`,
          [g.identities, id, customerId],
        );
      }
      const stillEvidenced = new Set(groups.flatMap((g) => g.identities));
      const orphans = keys.filter((k) => !stillEvidenced.has(k));
      if (orphans.length)
        await manager.query(
          `DELETE FROM customer_identities WHERE customer_id = $2 AND kind || ':' || value = ANY($1)`,
          [orphans, customerId],
        );

      const customerOf = new Map<string, string>();
      groups.forEach((g, i) =>
        g.complaintIds.forEach((c) => customerOf.set(c, i === 0 ? customerId : splitInto[i - 1])),
      );
      const counts = await repeatCounts(
        manager,
        complaints.map((c) => ({
          complaintId: c.id,
          customerId: customerOf.get(c.id)!,
          receivedAt: iso(c.received_at),
        })),
        this.options.escalation.repeatWindowDays,
      );
      const escalated = new Set(
        (
          (await manager.query(
            `SELECT complaint_id FROM complaint_history h WHERE complaint_id = ANY($1) AND kind = 'escalated' AND data->>'trigger' = 'repeat-complainant'
              AND NOT EXISTS (SELECT 1 FROM complaint_history w WHERE w.complaint_id = h.complaint_id AND w.kind = 'escalation-withdrawn' AND w.at >= h.at)`,
            [order],
          )) as Array<{ complaint_id: string }>
        ).map((r) => r.complaint_id),
      );
      const history: HistoryEntry[] = [];
      const recount: UndoResult['recount'] = [];
      for (const c of complaints) {
        const n = counts.get(c.id) ?? 0;
        const withdrawn = escalated.has(c.id) && n < this.options.escalation.repeatCount;
        if (withdrawn) {
          history.push({
            complaintId: c.id,
            at: now,
            kind: 'escalation-withdrawn',
            actor,
            reason: `repeat-complainant: after undoing link ${linkId} (${link.kind} ${link.value} on ${link.complaint_id}) this customer has ${n} complaints in ${this.options.escalation.repeatWindowDays} days`,
            data: { trigger: 'repeat-complainant', linkId, complaintsInWindow: n },
            eventId: `unlink:${linkId}`,
          });
        }
        recount.push({
          complaintId: c.id,
          customerId: customerOf.get(c.id)!,
          complaintsInWindow: n,
          escalationWithdrawn: withdrawn,
        });
      }
      await appendHistory(manager, history);
      return { customer: await this.get(customerId, manager), splitInto, recount };
    });
  }
}
