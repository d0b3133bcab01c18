import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { LOGGER } from '@klaxon/platform/runtime';
import { ClockPlannerService } from './clock-planner.service';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

const KEY = 'policy-fingerprint';
const BATCH = 200;

/**
 * A change of SLA policies or calendar recomputes the open clocks from each complaint's history: at
 * start-up the configuration's fingerprint is compared with the one the clocks were computed with;
 * when it differs, open complaints are replanned in batches (in the background; replicas doing it at
 * once get the same result) and the new fingerprint is stored.
 */
@Injectable()
export class PolicyChangeService implements OnApplicationBootstrap {
  readonly fingerprint: string;

  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly planner: ClockPlannerService,
    @Inject(SLA_OPTIONS) options: SlaOptions,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify({ policies: options.policies, calendar: options.calendar }))
      .digest('hex');
  }

  onApplicationBootstrap(): void {
    this.recomputeIfChanged().catch((err: unknown) =>
      this.logger.error({ err }, 'recomputing clocks after a policy change failed; next start retries'),
    );
  }

  /** Returns how many complaints were replanned (0 when the policies did not change). */
  async recomputeIfChanged(): Promise<number> {
    const [stored] = (await this.dataSource.query(`SELECT value FROM sla_settings WHERE key = $1`, [
      KEY,
    ])) as Array<{ value: string }>;
    if (stored?.value === this.fingerprint) return 0;
    let replanned = 0;
    if (stored) {
      let after = '';
      for (;;) {
        const ids = (
          (await this.dataSource.query(
            `SELECT DISTINCT complaint_id FROM sla_clocks WHERE status IN ('running', 'paused') AND complaint_id > $1 ORDER BY complaint_id LIMIT $2`,
            [after, BATCH],
          )) as Array<{ complaint_id: string }>
        ).map((r) => r.complaint_id);
        if (ids.length === 0) break;
        after = ids[ids.length - 1];
        await this.dataSource.transaction(async (m) => {
          const facts = await this.planner.loadFacts(m, ids);
          for (const f of facts.values()) {
            await this.planner.write(
              m,
              f,
              this.planner.plan(f, await this.planner.loadSteps(m, f.complaintId)),
            );
            replanned++;
          }
        });
      }
      this.logger.info({ replanned }, 'SLA policies changed: open clocks recomputed');
    }
    await this.dataSource.query(
      `INSERT INTO sla_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [KEY, this.fingerprint],
    );
    return replanned;
  }
}
