import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { ROUTING_OPTIONS, type RoutingOptions } from './routing.options';

/** Seeds the configured organisation once; existing teams and members (and their load) are kept. */
@Injectable()
export class OrganisationSeeder implements OnApplicationBootstrap {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(ROUTING_OPTIONS) private readonly options: RoutingOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { teams, members } = this.options.organisation;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO teams (id, name, lead_id) SELECT id, name, lead_id FROM jsonb_to_recordset($1::jsonb) AS t(id text, name text, lead_id text)
         ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(teams.map((t) => ({ id: t.id, name: t.name, lead_id: t.leadId })))],
      );
      await manager.query(
        `INSERT INTO team_members (id, team_id, name, email, role, skills, capacity, open_count, active)
         SELECT id, team_id, name, email, role, skills, capacity, 0, active
           FROM jsonb_to_recordset($1::jsonb) AS m(id text, team_id text, name text, email text, role text, skills jsonb, capacity int, active boolean)
         ON CONFLICT (id) DO NOTHING`,
        [
          JSON.stringify(
            members.map((m) => ({ id: m.id, team_id: m.teamId, name: m.name, email: null, role: m.role, skills: m.skills, capacity: m.capacity, active: m.available })),
          ),
        ],
      );
    });
    this.logger.info({ teams: teams.length, members: members.length }, 'organisation seeded');
  }
}
