import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { validateRules } from '@klaxon/routing/domain';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';
import { loadRoutingConfig } from './routing.repository';

/**
 * Seeds the configured organisation (the demo company by default) into PostgreSQL: teams and members
 * that do not exist yet, and the rules as version 1 when none are stored. Existing rows, their load
 * and later rule versions are kept: from then on the API changes the organisation. (The configured
 * organisation itself was checked when the module was created: `RoutingModule.forRoot` refuses it.)
 */
@Injectable()
export class OrganisationSeeder implements OnApplicationBootstrap {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { teams, members, rules, defaultTeamId } = this.options.organisation;
    await this.dataSource.transaction(async (manager) => {
      // Several replicas may start at once: one seeds, the others find it done.
      await manager.query('SELECT pg_advisory_xact_lock(7401001)');
      await manager.query(
        `INSERT INTO teams (id, name, lead_id, unit) SELECT id, name, lead_id, unit FROM jsonb_to_recordset($1::jsonb) AS t(id text, name text, lead_id text, unit text)
         ON CONFLICT (id) DO NOTHING`,
        [
          JSON.stringify(
            teams.map((t) => ({ id: t.id, name: t.name, lead_id: t.leadId, unit: t.unit ?? null })),
          ),
        ],
      );
      await manager.query(
        `INSERT INTO team_members (id, team_id, name, email, role, skills, capacity, capacity_by_channel, open_count, active, time_zone, working_hours, authority)
         SELECT id, team_id, name, email, role, skills, capacity, capacity_by_channel, 0, active, time_zone, working_hours, authority
           FROM jsonb_to_recordset($1::jsonb) AS m(id text, team_id text, name text, email text, role text, skills jsonb, capacity int, capacity_by_channel jsonb,
                                                    active boolean, time_zone text, working_hours jsonb, authority jsonb)
         ON CONFLICT (id) DO NOTHING`,
        [
          JSON.stringify(
            members.map((m) => ({
              id: m.id,
              team_id: m.teamId,
              name: m.name,
              email: m.email ?? null,
              role: m.role,
              skills: m.skills,
              capacity: m.capacity,
              capacity_by_channel: m.capacityByChannel ?? null,
              active: m.active,
              time_zone: m.workingHours.timeZone,
              working_hours: m.workingHours.days,
              authority: m.authority,
            })),
          ),
        ],
      );
      await manager.query(
        `INSERT INTO routing_rule_sets (version, rules, default_team_id, created_by, note)
         SELECT 1, $1, $2, 'seed', 'seeded from the shipped configuration' WHERE NOT EXISTS (SELECT 1 FROM routing_rule_sets)`,
        [JSON.stringify(rules), defaultTeamId],
      );
    });
    this.logger.info(
      { teams: teams.length, members: members.length, rules: rules.length },
      'organisation seeded',
    );
    // Rules saved before the API checked them may name a category outside the taxonomy: they never match.
    // The database is the truth, so they are not replaced here; an admin saves corrected ones.
    const problems = await this.problemsOfRulesInForce();
    if (problems.length)
      this.logger.error(
        { problems },
        'the routing rules in force name unknown teams or categories: those rules never match; save corrected rules with PUT /api/routing-rules',
      );
  }

  /** What is wrong with the stored rules in force (empty when they are sound). */
  async problemsOfRulesInForce(): Promise<string[]> {
    const config = await loadRoutingConfig(this.dataSource.manager);
    return validateRules(config.rules, new Set(config.teams.map((t) => t.id)));
  }
}
