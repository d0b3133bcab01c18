import { Inject, Injectable } from '@nestjs/common';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import { ApiError, CLOCK, type Clock } from '@klaxon/platform/runtime';
import { DATA_SOURCE, returnedRows } from '@klaxon/platform/persistence';
import { validateRules, type RoutingRule, type Team, type TeamMember } from '@klaxon/routing/domain';
import { newId } from './customer-linker';
import type {
  absenceSchema,
  memberPatchSchema,
  memberSchema,
  ruleSetSchema,
  teamPatchSchema,
  teamSchema,
} from './organisation.dto';
import { Reassignments } from './reassignments';
import type { RouteResult } from './routing-work';
import { TeamQueue } from './team-queue';
import {
  CLOSED_STATUSES,
  iso,
  toMember,
  toTeam,
  type AbsenceRow,
  type MemberRow,
  type TeamRow,
} from './routing.rows';

export type MemberView = Omit<TeamMember, 'lastAssignedAt'> & { lastAssignedAt: string | null };
export interface RuleSetView {
  version: number;
  rules: RoutingRule[];
  defaultTeamId: string;
  createdAt: string;
  createdBy: string;
  note: string | null;
}

const memberView = (m: TeamMember): MemberView => ({
  ...m,
  lastAssignedAt: m.lastAssignedAt ? m.lastAssignedAt.toISOString() : null,
});

/** Teams, members, absences and the versioned routing rules, stored in PostgreSQL. */
@Injectable()
export class OrganisationService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly reassignments: Reassignments,
    private readonly queue: TeamQueue,
  ) {}

  async listTeams(): Promise<{ items: Team[]; total: number }> {
    const rows = (await this.dataSource.query(
      'SELECT id, name, lead_id, unit FROM teams ORDER BY id',
    )) as TeamRow[];
    return { items: rows.map(toTeam), total: rows.length };
  }

  async createTeam(input: z.output<typeof teamSchema>): Promise<Team> {
    const rows = (await this.dataSource.query(
      'INSERT INTO teams (id, name, lead_id, unit) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id, name, lead_id, unit',
      [input.id, input.name, input.leadId ?? null, input.unit ?? null],
    )) as TeamRow[];
    if (!rows[0]) throw ApiError.conflict('team-exists', `team ${input.id} already exists`);
    return toTeam(rows[0]);
  }

  async updateTeam(id: string, patch: z.output<typeof teamPatchSchema>): Promise<Team> {
    const rows = returnedRows<TeamRow>(
      await this.dataSource.query(
        `UPDATE teams SET name = coalesce($2, name), lead_id = CASE WHEN $3::boolean THEN $4 ELSE lead_id END, unit = CASE WHEN $5::boolean THEN $6 ELSE unit END, updated_at = now()
          WHERE id = $1 RETURNING id, name, lead_id, unit`,
        [
          id,
          patch.name ?? null,
          'leadId' in patch,
          patch.leadId ?? null,
          'unit' in patch,
          patch.unit ?? null,
        ],
      ),
    );
    if (!rows[0]) throw ApiError.notFound('team', id);
    return toTeam(rows[0]);
  }

  async listMembers(teamId?: string): Promise<{ items: MemberView[]; total: number }> {
    const now = this.clock.now();
    const rows = (await this.dataSource.query(
      `SELECT * FROM team_members ${teamId ? 'WHERE team_id = $1' : ''} ORDER BY team_id, id`,
      teamId ? [teamId] : [],
    )) as MemberRow[];
    const absences = (await this.dataSource.query(
      'SELECT * FROM member_absences WHERE ends_at > $1 ORDER BY starts_at',
      [now.toISOString()],
    )) as AbsenceRow[];
    return { items: rows.map((r) => memberView(toMember(r, absences))), total: rows.length };
  }

  async getMember(id: string, manager: EntityManager = this.dataSource.manager): Promise<MemberView> {
    const [row] = (await manager.query('SELECT * FROM team_members WHERE id = $1', [id])) as MemberRow[];
    if (!row) throw ApiError.notFound('member', id);
    const absences = (await manager.query(
      'SELECT * FROM member_absences WHERE member_id = $1 ORDER BY starts_at',
      [id],
    )) as AbsenceRow[];
    return memberView(toMember(row, absences));
  }

  async createMember(input: z.output<typeof memberSchema>): Promise<MemberView> {
    return this.dataSource.transaction(async (manager) => {
      await this.requireTeam(manager, input.teamId);
      const rows = (await manager.query(
        `INSERT INTO team_members (id, team_id, name, email, role, skills, capacity, capacity_by_channel, open_count, active, time_zone, working_hours, authority)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          input.id,
          input.teamId,
          input.name,
          input.email?.toLowerCase() ?? null,
          input.role,
          JSON.stringify(input.skills),
          input.capacity,
          input.capacityByChannel ? JSON.stringify(input.capacityByChannel) : null,
          input.active,
          input.workingHours.timeZone,
          JSON.stringify(input.workingHours.days),
          JSON.stringify(input.authority),
        ],
      )) as unknown[];
      if (!rows[0]) throw ApiError.conflict('member-exists', `member ${input.id} already exists`);
      await this.queue.dequeue(manager, this.clock.now(), [input.teamId]);
      return this.getMember(input.id, manager);
    });
  }

  /** Changes a member; more capacity, new hours or another team are offered the waiting complaints at once. */
  async updateMember(id: string, patch: z.output<typeof memberPatchSchema>): Promise<MemberView> {
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query('SELECT * FROM team_members WHERE id = $1 FOR UPDATE', [
        id,
      ])) as MemberRow[];
      if (!row) throw ApiError.notFound('member', id);
      if (patch.teamId) await this.requireTeam(manager, patch.teamId);
      const m = toMember(row);
      const next = {
        team_id: patch.teamId ?? m.teamId,
        name: patch.name ?? m.name,
        email: patch.email !== undefined ? patch.email.toLowerCase() : (m.email ?? null),
        role: patch.role ?? m.role,
        skills: patch.skills ?? m.skills,
        capacity: patch.capacity ?? m.capacity,
        capacity_by_channel:
          patch.capacityByChannel !== undefined ? patch.capacityByChannel : (m.capacityByChannel ?? null),
        active: patch.active ?? m.active,
        time_zone: patch.workingHours?.timeZone ?? m.workingHours.timeZone,
        working_hours: patch.workingHours?.days ?? m.workingHours.days,
        authority: patch.authority ?? m.authority,
      };
      await manager.query(
        `UPDATE team_members SET team_id = $2, name = $3, email = $4, role = $5, skills = $6, capacity = $7, capacity_by_channel = $8, active = $9,
                time_zone = $10, working_hours = $11, authority = $12, updated_at = now() WHERE id = $1`,
        [
          id,
          next.team_id,
          next.name,
          next.email,
          next.role,
          JSON.stringify(next.skills),
          next.capacity,
          next.capacity_by_channel ? JSON.stringify(next.capacity_by_channel) : null,
          next.active,
          next.time_zone,
          JSON.stringify(next.working_hours),
          JSON.stringify(next.authority),
        ],
      );
      const now = this.clock.now();
      if (m.active && !next.active) {
        // Switched off: their open complaints go back through the team now.
        const open = (await manager.query(
          `SELECT id FROM complaints WHERE owner_id = $1 AND status <> ALL($2) ORDER BY id`,
          [id, CLOSED_STATUSES],
        )) as Array<{ id: string }>;
        await this.reassignments.reassign(
          manager,
          open.map((c) => ({
            complaintId: c.id,
            fromOwnerId: id,
            cause: 'owner-absent' as const,
            causeId: newId('off'),
            actor: 'router',
            note: 'member deactivated',
          })),
          now,
        );
      }
      await this.queue.dequeue(manager, now, [...new Set([m.teamId, next.team_id])]);
      return this.getMember(id, manager);
    });
  }

  /** Records an absence; if it has begun, the member's open complaints go to the replacement (or back through the team) now. */
  async addAbsence(
    memberId: string,
    input: z.output<typeof absenceSchema>,
  ): Promise<{
    absence: { id: string; from: string; until: string; replacementId: string | null; reason: string | null };
    reassigned: RouteResult;
  }> {
    return this.dataSource.transaction(async (manager) => {
      const [member] = (await manager.query('SELECT id FROM team_members WHERE id = $1', [
        memberId,
      ])) as unknown[];
      if (!member) throw ApiError.notFound('member', memberId);
      if (input.replacementId) {
        if (input.replacementId === memberId)
          throw ApiError.badRequest('invalid-field', 'a member cannot replace themselves', 'replacementId');
        const [replacement] = (await manager.query('SELECT id FROM team_members WHERE id = $1', [
          input.replacementId,
        ])) as unknown[];
        if (!replacement)
          throw ApiError.badRequest(
            'invalid-field',
            `replacement ${input.replacementId} is not a member`,
            'replacementId',
          );
      }
      const id = newId('abs');
      await manager.query(
        'INSERT INTO member_absences (id, member_id, starts_at, ends_at, replacement_id, reason) VALUES ($1, $2, $3, $4, $5, $6)',
        [id, memberId, input.from, input.until, input.replacementId ?? null, input.reason ?? null],
      );
      const reassigned = await this.reassignments.reassignFromAbsent(manager, this.clock.now(), [memberId]);
      return {
        absence: {
          id,
          from: iso(input.from),
          until: iso(input.until),
          replacementId: input.replacementId ?? null,
          reason: input.reason ?? null,
        },
        reassigned,
      };
    });
  }

  async removeAbsence(memberId: string, absenceId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const rows = returnedRows<{ id: string }>(
        await manager.query('DELETE FROM member_absences WHERE id = $1 AND member_id = $2 RETURNING id', [
          absenceId,
          memberId,
        ]),
      );
      if (!rows[0]) throw ApiError.notFound('absence', `${absenceId} of member ${memberId}`);
      const [team] = (await manager.query('SELECT team_id FROM team_members WHERE id = $1', [
        memberId,
      ])) as Array<{ team_id: string }>;
      if (team) await this.queue.dequeue(manager, this.clock.now(), [team.team_id]);
    });
  }

  async currentRules(): Promise<RuleSetView> {
    const [row] = (await this.dataSource.query(
      'SELECT * FROM routing_rule_sets ORDER BY version DESC LIMIT 1',
    )) as RuleSetRow[];
    if (!row) throw ApiError.notFound('routing rules', 'current');
    return ruleSetView(row);
  }

  async ruleVersions(): Promise<{ items: RuleSetView[]; total: number }> {
    const rows = (await this.dataSource.query(
      'SELECT * FROM routing_rule_sets ORDER BY version DESC',
    )) as RuleSetRow[];
    return { items: rows.map(ruleSetView), total: rows.length };
  }

  /** Saves the rules as a new version (the old ones stay, for the record and to see what routed what). */
  async saveRules(input: z.output<typeof ruleSetSchema>, actor: string): Promise<RuleSetView> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('LOCK TABLE routing_rule_sets IN SHARE ROW EXCLUSIVE MODE');
      const teamIds = new Set(
        ((await manager.query('SELECT id FROM teams')) as Array<{ id: string }>).map((t) => t.id),
      );
      const problems = validateRules(input.rules, teamIds);
      if (!teamIds.has(input.defaultTeamId))
        problems.push(`defaultTeamId: unknown team "${input.defaultTeamId}"`);
      if (problems.length) throw ApiError.badRequest('invalid-rules', problems.join('; '), 'rules');
      const [row] = (await manager.query(
        `INSERT INTO routing_rule_sets (version, rules, default_team_id, created_by, note)
         SELECT coalesce(max(version), 0) + 1, $1, $2, $3, $4 FROM routing_rule_sets RETURNING *`,
        [JSON.stringify(input.rules), input.defaultTeamId, actor, input.note ?? null],
      )) as RuleSetRow[];
      return ruleSetView(row);
    });
  }

  private async requireTeam(manager: EntityManager, teamId: string): Promise<void> {
    const [team] = (await manager.query('SELECT id FROM teams WHERE id = $1', [teamId])) as unknown[];
    if (!team) throw ApiError.badRequest('invalid-field', `team ${teamId} does not exist`, 'teamId');
  }
}

type RuleSetRow = {
  version: number;
  rules: RoutingRule[];
  default_team_id: string;
  created_at: Date;
  created_by: string;
  note: string | null;
};
const ruleSetView = (r: RuleSetRow): RuleSetView => ({
  version: Number(r.version),
  rules: r.rules,
  defaultTeamId: r.default_team_id,
  createdAt: iso(r.created_at),
  createdBy: r.created_by,
  note: r.note,
});
