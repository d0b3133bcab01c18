import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { CaseAction, CaseEvent } from '@klaxon/contracts';
import type { ConsumedEvent } from '@klaxon/platform/messaging';
import { DATA_SOURCE, claimEvents } from '@klaxon/platform/persistence';
import { SLA_CONSUMER } from './set-deadlines.service';

/** Which clock a handler's action meets. */
const MEETS: Partial<Record<CaseAction, string[]>> = {
  acknowledged: ['acknowledgement'],
  responded: ['acknowledgement', 'first-response'],
  resolved: ['acknowledgement', 'first-response', 'resolution'],
};

/** Case events stop the clocks they satisfy; a replay changes nothing. */
@Injectable()
export class StopClocksService {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async handle(batch: ConsumedEvent<CaseEvent>[]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const fresh = await claimEvents(manager, `${SLA_CONSUMER}-cases`, batch.map((e) => e.envelope.eventId));
      const met = batch
        .filter((e) => fresh.has(e.envelope.eventId))
        .flatMap(({ envelope: { data: d } }) => (MEETS[d.action] ?? []).map((clock) => ({ complaint_id: d.complaintId, clock, at: d.at })));
      if (met.length === 0) return;
      await manager.query(
        `UPDATE sla_clocks s SET status = 'met', met_at = m.at
           FROM jsonb_to_recordset($1::jsonb) AS m(complaint_id text, clock text, at timestamptz)
          WHERE s.complaint_id = m.complaint_id AND s.clock = m.clock AND s.status = 'running'`,
        [JSON.stringify(met)],
      );
    });
  }
}
