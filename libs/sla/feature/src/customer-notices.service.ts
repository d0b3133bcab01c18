import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { forbidden, mayAccessTeam, type Principal } from '@klaxon/platform/auth';
import type { Logger } from '@klaxon/platform/observability';
import { DATA_SOURCE, appendHistory } from '@klaxon/platform/persistence';
import { ApiError, CLOCK, LOGGER, type Clock } from '@klaxon/platform/runtime';
import { CustomerMessagesService } from './customer-messages.service';

export interface NoticeResult {
  spikeId: string;
  /** Customers (linked across channels) of the spike's complaints. */
  customers: number;
  /** Newly queued now, per way they go out. */
  queued: { email: number; webcare: number; manual: number };
  /** Customers who had the notice already (an earlier click). */
  alreadyInformed: number;
}

/**
 * "Inform the customers who complained" in one click: a spike the router flagged (its proposal of an
 * incident) names its complaints; each of their customers gets the incident notice once, through the
 * same path as acknowledgements (email over SMTP, a record for webcare on X, `manual` without an
 * address). Customers who did not complain are not written to (that is a campaign, not a reply).
 */
@Injectable()
export class CustomerNoticesService {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly messages: CustomerMessagesService,
  ) {}

  async informComplainants(
    spikeId: string,
    note: string | undefined,
    principal: Principal | undefined,
  ): Promise<NoticeResult> {
    return this.dataSource.transaction(async (m) => {
      // The spike is the router's record; shared lock: closing it waits until the notices are queued.
      const [spike] = (await m.query(
        `SELECT id, kind, status, team_id, owner_id, owner_name FROM root_cause_items WHERE id = $1 FOR SHARE`,
        [spikeId],
      )) as Array<{
        id: string;
        kind: string;
        status: string;
        team_id: string | null;
        owner_id: string | null;
        owner_name: string | null;
      }>;
      if (!spike) throw ApiError.notFound('spike', spikeId);
      if (!mayAccessTeam(principal, spike.team_id))
        throw forbidden('This spike belongs to a team that is not yours');
      if (
        principal?.kind === 'user' &&
        principal.memberId !== spike.owner_id &&
        !['team-lead', 'admin'].includes(principal.role ?? '')
      )
        throw forbidden(
          `Only the owner${spike.owner_name ? ` (${spike.owner_name})` : ''} or a team lead may inform the customers`,
        );
      if (spike.kind !== 'spike')
        throw ApiError.conflict('not-a-spike', `${spikeId} is a review, not a spike`);
      if (spike.status !== 'open') throw ApiError.conflict('spike-closed', `${spikeId} is ${spike.status}`);
      // One complaint per customer (the newest), and none of a customer who has the notice already.
      const rows = (await m.query(
        `SELECT DISTINCT ON (coalesce(c.customer_id, c.id)) c.id, c.correlation_id,
                EXISTS (SELECT 1 FROM customer_messages n JOIN complaints c2 ON c2.id = n.complaint_id
                         WHERE n.kind = 'incident-notice' AND n.dedupe_key = $1 AND coalesce(c2.customer_id, c2.id) = coalesce(c.customer_id, c.id)) AS informed
           FROM root_cause_links l JOIN complaints c ON c.id = l.complaint_id
          WHERE l.item_id = $1 AND c.status NOT IN ('erased', 'signal')
          ORDER BY coalesce(c.customer_id, c.id), c.received_at DESC, c.id`,
        [spikeId],
      )) as Array<{ id: string; correlation_id: string | null; informed: boolean }>;
      const todo = rows.filter((r) => !r.informed);
      const queued = await this.messages.queueIncidentNotices(
        m,
        todo.map((r) => r.id),
        { dedupeKey: spikeId, ...(note ? { note } : {}) },
      );
      const now = this.clock.now();
      const who = principal?.name ?? 'unknown';
      const correlation = new Map(todo.map((r) => [r.id, r.correlation_id]));
      await appendHistory(
        m,
        queued.map((q) => ({
          complaintId: q.complaintId,
          at: now,
          kind: 'customer-informed',
          actor: who,
          reason: `incident notice for spike ${spikeId} (${q.route === 'email' ? 'by e-mail' : q.route === 'webcare' ? 'for webcare to post' : 'to send by hand: no address'})`,
          data: { spikeId, route: q.route },
          eventId: `${spikeId}:notice`,
          correlationId: correlation.get(q.complaintId) ?? q.complaintId,
        })),
      );
      const count = (route: string) => queued.filter((q) => q.route === route).length;
      const result: NoticeResult = {
        spikeId,
        customers: rows.length,
        queued: { email: count('email'), webcare: count('webcare'), manual: count('manual') },
        alreadyInformed: rows.length - todo.length,
      };
      this.logger.info({ ...result, actor: who }, 'incident notices queued');
      return result;
    });
  }
}
