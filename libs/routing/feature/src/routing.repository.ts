import type { EntityManager } from 'typeorm';
import type { ComplaintAssigned } from '@klaxon/contracts';
import { returnedRows } from '@klaxon/platform/persistence';
import type { OrganisationConfig, RoutingRule, TeamMember } from '@klaxon/routing/domain';
import {
  CLOSED_STATUSES,
  toMember,
  toTeam,
  type AbsenceRow,
  type MemberRow,
  type TeamRow,
} from './routing.rows';

export type RoutingConfig = Pick<OrganisationConfig, 'teams' | 'rules' | 'defaultTeamId'> & {
  rulesVersion: number;
};

/** The rules in force (highest version) and the teams. */
export async function loadRoutingConfig(manager: EntityManager): Promise<RoutingConfig> {
  // One after the other: inside a transaction both go over the same connection.
  const teams = (await manager.query('SELECT id, name, lead_id, unit FROM teams ORDER BY id')) as TeamRow[];
  const [ruleSet] = (await manager.query(
    'SELECT version, rules, default_team_id FROM routing_rule_sets ORDER BY version DESC LIMIT 1',
  )) as Array<{ version: number; rules: RoutingRule[]; default_team_id: string }>;
  if (!ruleSet) throw new Error('no routing rules stored: the organisation was not seeded');
  return {
    teams: teams.map(toTeam),
    rules: ruleSet.rules,
    defaultTeamId: ruleSet.default_team_id,
    rulesVersion: Number(ruleSet.version),
  };
}

/**
 * The members of these teams, locked for the rest of the transaction (in id order, so concurrent
 * routers never deadlock), with their absences from now on and, where a per-channel limit is set,
 * their open complaints per channel.
 */
export async function lockMembers(
  manager: EntityManager,
  teamIds: string[],
  now: Date,
): Promise<TeamMember[]> {
  if (teamIds.length === 0) return [];
  const rows = (await manager.query(
    'SELECT * FROM team_members WHERE team_id = ANY($1) ORDER BY id FOR UPDATE',
    [teamIds],
  )) as MemberRow[];
  return withDetails(manager, rows, now);
}

export async function lockMembersById(
  manager: EntityManager,
  ids: string[],
  now: Date,
): Promise<TeamMember[]> {
  if (ids.length === 0) return [];
  const rows = (await manager.query('SELECT * FROM team_members WHERE id = ANY($1) ORDER BY id FOR UPDATE', [
    ids,
  ])) as MemberRow[];
  return withDetails(manager, rows, now);
}

/** Members by id with their absences, read without locking (for work that does not count against capacity). */
export async function readMembersById(
  manager: EntityManager,
  ids: string[],
  now: Date,
): Promise<TeamMember[]> {
  if (ids.length === 0) return [];
  const rows = (await manager.query('SELECT * FROM team_members WHERE id = ANY($1) ORDER BY id', [
    ids,
  ])) as MemberRow[];
  return withDetails(manager, rows, now);
}

/** The members of these teams with their absences, read without locking. */
export async function readMembers(
  manager: EntityManager,
  teamIds: string[],
  now: Date,
): Promise<TeamMember[]> {
  if (teamIds.length === 0) return [];
  const rows = (await manager.query('SELECT * FROM team_members WHERE team_id = ANY($1) ORDER BY id', [
    teamIds,
  ])) as MemberRow[];
  return withDetails(manager, rows, now);
}

async function withDetails(manager: EntityManager, rows: MemberRow[], now: Date): Promise<TeamMember[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const absences = (await manager.query(
    'SELECT * FROM member_absences WHERE member_id = ANY($1) AND ends_at > $2',
    [ids, now.toISOString()],
  )) as AbsenceRow[];
  const limited = rows.filter((r) => r.capacity_by_channel).map((r) => r.id);
  const perChannel = new Map<string, Record<string, number>>();
  if (limited.length) {
    const counts = (await manager.query(
      `SELECT owner_id, channel, count(*)::int AS n FROM complaints WHERE owner_id = ANY($1) AND status <> ALL($2) GROUP BY owner_id, channel`,
      [limited, CLOSED_STATUSES],
    )) as Array<{ owner_id: string; channel: string; n: number }>;
    for (const c of counts)
      perChannel.set(c.owner_id, { ...(perChannel.get(c.owner_id) ?? {}), [c.channel]: Number(c.n) });
  }
  return rows.map((r) =>
    toMember(r, absences, r.capacity_by_channel ? (perChannel.get(r.id) ?? {}) : undefined),
  );
}

/** The executive level: who hears about reputational risks at once. */
export async function executiveId(manager: EntityManager): Promise<string | undefined> {
  const [row] = (await manager.query(
    `SELECT id FROM team_members WHERE role = 'executive' AND active ORDER BY id LIMIT 1`,
  )) as Array<{ id: string }>;
  return row?.id;
}

export interface OwnerWrite {
  data: ComplaintAssigned;
  requiredAuthority: number;
  /** Reassignment: only if this is still the owner (compare and set). Absent: only if there is no owner. */
  expectedOwnerId?: string;
  /** The customer the complaint was just linked to, written in the same row update. */
  customerId?: string;
}

/** Sets owners where the expectation holds: the database is the arbiter of "exactly one owner". */
export async function writeOwners(manager: EntityManager, writes: OwnerWrite[]): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  // Columns as typed arrays (unnest); the id list also lets the planner look the rows up by key.
  const rows = returnedRows<{ id: string }>(
    await manager.query(
      `UPDATE complaints c SET owner_id = a.owner_id, owner_name = a.owner_name, team_id = a.team_id, assignment_reason = a.reason,
              assigned_at = a.assigned_at, status = 'assigned', last_owner_id = a.owner_id, required_authority = a.required_authority,
              customer_id = coalesce(a.customer_id, c.customer_id), updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::int[], $8::text[], $9::text[])
              AS a(id, owner_id, owner_name, team_id, reason, assigned_at, required_authority, expected_owner, customer_id)
        WHERE c.id = ANY($1::text[]) AND c.id = a.id AND (CASE WHEN a.expected_owner IS NULL THEN c.owner_id IS NULL ELSE c.owner_id = a.expected_owner END)
        RETURNING c.id`,
      [
        writes.map((w) => w.data.complaintId),
        writes.map((w) => w.data.ownerId),
        writes.map((w) => w.data.ownerName),
        writes.map((w) => w.data.teamId),
        writes.map((w) => JSON.stringify(w.data.reason)),
        writes.map((w) => w.data.assignedAt),
        writes.map((w) => w.requiredAuthority),
        writes.map((w) => w.expectedOwnerId ?? null),
        writes.map((w) => w.customerId ?? null),
      ],
    ),
  );
  return new Set(rows.map((r) => r.id));
}

/** Adds (or with negative numbers removes) open complaints from members; never below zero. */
export async function addLoad(
  manager: EntityManager,
  loads: Map<string, number>,
  assignedAt?: Date,
): Promise<void> {
  const changes = [...loads].filter(([, n]) => n !== 0);
  if (changes.length === 0) return;
  await manager.query(
    `UPDATE team_members m SET open_count = greatest(m.open_count + l.n, 0),
            last_assigned_at = CASE WHEN l.n > 0 AND $2::timestamptz IS NOT NULL THEN $2::timestamptz ELSE m.last_assigned_at END
       FROM jsonb_to_recordset($1::jsonb) AS l(id text, n int) WHERE m.id = l.id`,
    [JSON.stringify(changes.map(([id, n]) => ({ id, n }))), assignedAt?.toISOString() ?? null],
  );
}

export function countLoads(
  ids: Iterable<string>,
  sign = 1,
  into = new Map<string, number>(),
): Map<string, number> {
  for (const id of ids) into.set(id, (into.get(id) ?? 0) + sign);
  return into;
}

/** Puts complaints (still without owner) in their team's queue. */
export async function enqueue(
  manager: EntityManager,
  items: Array<{ id: string; teamId: string; requiredAuthority: number; customerId?: string }>,
): Promise<Set<string>> {
  if (items.length === 0) return new Set();
  const rows = returnedRows<{ id: string }>(
    await manager.query(
      `UPDATE complaints c SET status = 'queued', team_id = q.team_id, required_authority = q.required_authority,
              customer_id = coalesce(q.customer_id, c.customer_id), updated_at = now()
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS q(id, team_id, required_authority, customer_id)
        WHERE c.id = ANY($1::text[]) AND c.id = q.id AND c.owner_id IS NULL
        RETURNING c.id`,
      [
        items.map((q) => q.id),
        items.map((q) => q.teamId),
        items.map((q) => q.requiredAuthority),
        items.map((q) => q.customerId ?? null),
      ],
    ),
  );
  return new Set(rows.map((r) => r.id));
}
