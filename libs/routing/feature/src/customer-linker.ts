import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { CustomerIdentity } from '@klaxon/contracts';
import { identitiesOf, identityKey, type NormalisedIdentity } from '@klaxon/routing/domain';
import type { RoutingOptions } from './routing.options';
import { CLOSED_STATUSES } from './routing.rows';

export const newId = (prefix: string): string =>
  `${prefix}_${Date.now().toString(36)}${randomBytes(8).toString('hex')}`;

export interface LinkInput {
  complaintId: string;
  customer: CustomerIdentity;
}

/**
 * Links each complaint to one customer through its normalised identities (email, E.164 phone, X
 * handle, customer number), in the caller's transaction. A complaint sharing identities with several
 * customers merges them into one. Every (complaint, identity) pair is kept as the link's evidence.
 * Identities are locked with advisory locks in a fixed order, so concurrent routers never make two
 * customers of one person.
 */
export async function linkCustomers(
  manager: EntityManager,
  items: LinkInput[],
  options: Pick<RoutingOptions, 'defaultCountry'>,
): Promise<Map<string, string>> {
  const perComplaint = items
    .map((i) => ({
      complaintId: i.complaintId,
      identities: identitiesOf(i.customer, options.defaultCountry),
    }))
    .filter((i) => i.identities.length > 0);
  const result = new Map<string, string>();
  if (perComplaint.length === 0) return result;
  const keys = [...new Set(perComplaint.flatMap((c) => c.identities.map(identityKey)))].sort();
  await manager.query(
    `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 7401))) FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) s`,
    [keys],
  );

  // Joined on (kind, value) so the primary key is used: this runs for every batch.
  const pairs = keys.map((k) => [k.slice(0, k.indexOf(':')), k.slice(k.indexOf(':') + 1)]);
  const found = (await manager.query(
    `SELECT i.kind || ':' || i.value AS key, i.customer_id FROM unnest($1::text[], $2::text[]) AS k(kind, value)
       JOIN customer_identities i ON i.kind = k.kind AND i.value = k.value`,
    [pairs.map((p) => p[0]), pairs.map((p) => p[1])],
  )) as Array<{ key: string; customer_id: string }>;
  const owner = new Map(found.map((f) => [f.key, f.customer_id]));
  const merged = new Map<string, string>(); // loser → survivor
  const resolve = (id: string): string => {
    let x = id;
    while (merged.has(x)) x = merged.get(x)!;
    return x;
  };
  const created: string[] = [];
  const links: Array<{ complaintId: string; identity: NormalisedIdentity }> = [];

  for (const c of perComplaint) {
    const existing = [
      ...new Set(
        c.identities
          .map((i) => owner.get(identityKey(i)))
          .filter((x): x is string => !!x)
          .map(resolve),
      ),
    ].sort();
    let customerId = existing[0];
    if (!customerId) {
      customerId = newId('cus');
      created.push(customerId);
    }
    for (const other of existing.slice(1)) merged.set(other, customerId);
    for (const i of c.identities) owner.set(identityKey(i), customerId);
    for (const i of c.identities) links.push({ complaintId: c.complaintId, identity: i });
    result.set(c.complaintId, customerId);
  }
  for (const [k, v] of result) result.set(k, resolve(v));
  // Complaints of one customer that share no identity (e-mail on one, X handle on another) lock different
  // identities and could be linked side by side, each counting the customer's complaints without the
  // other's: serialise on the customers themselves, so whoever links second sees the first (repeat counts).
  const customerKeys = [...new Set([...result.values(), ...merged.keys()])].sort();
  await manager.query(
    `SELECT count(pg_advisory_xact_lock(hashtextextended(k, 7402))) FROM (SELECT k FROM unnest($1::text[]) AS k ORDER BY k) s`,
    [customerKeys],
  );

  if (created.length) await manager.query('INSERT INTO customers (id) SELECT unnest($1::text[])', [created]);
  for (const loser of merged.keys()) {
    const survivor = resolve(loser);
    await manager.query('UPDATE customer_identities SET customer_id = $2 WHERE customer_id = $1', [
      loser,
      survivor,
    ]);
    await manager.query('UPDATE customer_links SET customer_id = $2 WHERE customer_id = $1', [
      loser,
      survivor,
    ]);
    await manager.query('UPDATE complaints SET customer_id = $2 WHERE customer_id = $1', [loser, survivor]);
  }
  const identityRows = [...owner].map(([key, customerId]) => {
    const at = key.indexOf(':');
    return { kind: key.slice(0, at), value: key.slice(at + 1), customer_id: resolve(customerId) };
  });
  // Columns as typed arrays (unnest) throughout: cheaper for PostgreSQL than JSON documents taken apart.
  await manager.query(
    `INSERT INTO customer_identities (kind, value, customer_id) SELECT * FROM unnest($1::text[], $2::text[], $3::text[])
     ON CONFLICT (kind, value) DO UPDATE SET customer_id = EXCLUDED.customer_id`,
    [
      identityRows.map((r) => r.kind),
      identityRows.map((r) => r.value),
      identityRows.map((r) => r.customer_id),
    ],
  );
  await manager.query(
    `INSERT INTO customer_links (id, customer_id, complaint_id, kind, value) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])
     ON CONFLICT (complaint_id, kind, value) DO NOTHING`,
    [
      links.map(() => newId('lnk')),
      links.map((l) => result.get(l.complaintId)),
      links.map((l) => l.complaintId),
      links.map((l) => l.identity.kind),
      links.map((l) => l.identity.value),
    ],
  );
  // The complaints themselves get their customer with the owner (or the queue) in the same row write.
  return result;
}

/** Sets the customer of complaints whose row the router does not write otherwise. */
export async function setCustomers(manager: EntityManager, customers: Map<string, string>): Promise<void> {
  if (customers.size === 0) return;
  await manager.query(
    // The id list lets the planner look the rows up by key.
    `UPDATE complaints c SET customer_id = r.customer_id FROM unnest($1::text[], $2::text[]) AS r(id, customer_id) WHERE c.id = ANY($1::text[]) AND c.id = r.id`,
    [[...customers.keys()], [...customers.values()]],
  );
}

/** Complaints of each one's customer within the window before it (itself included), across channels. */
export async function repeatCounts(
  manager: EntityManager,
  items: Array<{ complaintId: string; customerId: string; receivedAt: string }>,
  windowDays: number,
): Promise<Map<string, number>> {
  if (items.length === 0) return new Map();
  const rows = (await manager.query(
    `SELECT r.id, count(o.id)::int AS n
       FROM jsonb_to_recordset($1::jsonb) AS r(id text, customer_id text, received_at timestamptz)
       JOIN complaints o ON o.customer_id = r.customer_id AND o.received_at > r.received_at - make_interval(days => $2) AND o.received_at <= r.received_at
        AND coalesce(o.complaint_label, 'explicit') <> 'none'
      GROUP BY r.id`,
    [
      JSON.stringify(
        items.map((i) => ({ id: i.complaintId, customer_id: i.customerId, received_at: i.receivedAt })),
      ),
      windowDays,
    ],
  )) as Array<{ id: string; n: number }>;
  return new Map(rows.map((r) => [r.id, Number(r.n)]));
}

/**
 * The open complaints of these customers (the complaints of the batch must carry their customer by
 * now), not escalated as a repeat yet, that are at least the
 * `minCount`th of their customer's complaints in the window before them (itself included), with that count.
 */
export async function openRepeatCounts(
  manager: EntityManager,
  customerIds: string[],
  windowDays: number,
  minCount: number,
): Promise<
  Map<string, { n: number; customerId: string; teamId: string | null; correlationId: string | null }>
> {
  if (customerIds.length === 0) return new Map();
  const rows = (await manager.query(
    // Counted in one pass per customer (a window over their complaints by time) rather than a count per
    // complaint; the window is (received - days, received], as timestamps are whole microseconds. Driven
    // customer by customer through the customer index (OFFSET 0 keeps the planner from scanning all
    // complaints, which it did while the table grew faster than its statistics).
    `SELECT w.id, w.customer_id, w.team_id, w.correlation_id, w.n
       FROM (SELECT c.id, c.customer_id, c.team_id, c.correlation_id, c.status,
                    count(*) OVER (PARTITION BY c.customer_id ORDER BY c.received_at
                                   RANGE BETWEEN make_interval(days => $2) - interval '1 microsecond' PRECEDING AND CURRENT ROW)::int AS n
               FROM unnest($1::text[]) AS k(customer_id)
               CROSS JOIN LATERAL (SELECT * FROM complaints x WHERE x.customer_id = k.customer_id AND coalesce(x.complaint_label, 'explicit') <> 'none' OFFSET 0) c) w
      WHERE w.n >= $4 AND w.status <> ALL($3)
        -- Probed complaint by complaint through the escalation index (OFFSET 0 keeps it a probe: as an anti
        -- join the planner, guessing one escalation, compared every candidate with every escalation).
        AND NOT EXISTS (SELECT 1 FROM complaint_history h WHERE h.complaint_id = w.id AND h.kind = 'escalated' AND h.data->>'trigger' = 'repeat-complainant' OFFSET 0)`,
    [customerIds, windowDays, CLOSED_STATUSES, minCount],
  )) as Array<{
    id: string;
    customer_id: string;
    team_id: string | null;
    correlation_id: string | null;
    n: number;
  }>;
  return new Map(
    rows.map((r) => [
      r.id,
      { n: Number(r.n), customerId: r.customer_id, teamId: r.team_id, correlationId: r.correlation_id },
    ]),
  );
}
