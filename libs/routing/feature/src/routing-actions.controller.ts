import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import {
  AccessLog,
  ComplaintAccess,
  CurrentPrincipal,
  ReadsPersonalData,
  RequireScope,
  forbidden,
  mayAccessTeam,
  teamFilterOf,
  type Principal,
} from '@klaxon/platform/auth';
import { ApiDoc } from '@klaxon/platform/openapi';
import { DATA_SOURCE } from '@klaxon/platform/persistence';
import { ApiError, CLOCK, parseOrThrow, type Clock } from '@klaxon/platform/runtime';
import { newId } from './customer-linker';
import { CustomersService, type CustomerView } from './customers.service';
import { dismissSchema, listSignalsSchema, promoteSchema, reassignSchema } from './organisation.dto';
import { Reassignments } from './reassignments';
import { SignalsService } from './signals.service';

const COMPLAINT_ID = /^cmp_[0-9a-z]{20,40}$/;
/** Who may move complaints between people (people; API keys with scope act may too). */
const REASSIGNERS = ['team-lead', 'admin'];
/** Who can own a complaint (executives read, they do not own). */
const OWNER_ROLES = ['handler', 'senior', 'team-lead'];
/**
 * Signals (not routed, so of no team: names and addresses from every channel) are for the people who
 * triage them: webcare, team leads, executives (read), admins, and API keys.
 */
const SIGNAL_ROLES = ['webcare-agent', 'team-lead', 'executive', 'admin'];
function mayTriageSignals(principal: Principal | undefined): void {
  if (principal?.kind === 'user' && !SIGNAL_ROLES.includes(principal.role ?? ''))
    throw forbidden('Signals are for webcare and team leads');
}
const actorOf = (p: Principal | undefined): string =>
  p ? `${p.kind === 'user' ? 'user' : 'api-key'}:${p.id}` : 'unknown';

/** Signals, customers and reassignment. */
@Controller('api')
export class RoutingActionsController {
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly signals: SignalsService,
    private readonly customers: CustomersService,
    private readonly reassignments: Reassignments,
    private readonly accessLog: AccessLog,
  ) {}

  @Get('signals')
  @ApiDoc({
    summary: 'Search the signals (classified as not a complaint)',
    tags: ['signals'],
    query: listSignalsSchema,
  })
  @RequireScope('read')
  @ReadsPersonalData('signal')
  listSignals(@Query() query: Record<string, string>, @CurrentPrincipal() principal: Principal | undefined) {
    mayTriageSignals(principal);
    return this.signals.list(parseOrThrow(listSignalsSchema, query, 'query'));
  }

  /** Makes a complaint of a signal: it is routed now and the correction becomes a training example. */
  @Post('signals/:id/promote')
  @ApiDoc({
    summary: 'Promote a signal to a complaint: routed now, the correction becomes a training example',
    tags: ['signals'],
    body: promoteSchema,
    responses: { 200: { description: 'Routed' }, 409: { description: 'Not a signal, or dismissed' } },
  })
  @HttpCode(200)
  @RequireScope('act')
  promote(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    mayTriageSignals(principal);
    return this.signals.promote(id, parseOrThrow(promoteSchema, body ?? {}), actorOf(principal));
  }

  @Post('signals/:id/dismiss')
  @ApiDoc({ summary: 'Dismiss a signal', tags: ['signals'], body: dismissSchema })
  @HttpCode(200)
  @RequireScope('act')
  dismiss(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    mayTriageSignals(principal);
    return this.signals.dismiss(id, parseOrThrow(dismissSchema, body ?? {}).reason, actorOf(principal));
  }

  @Get('customers/:id')
  @ApiDoc({
    summary: 'A customer: identities, the evidence of every link, the complaints',
    tags: ['customers'],
  })
  @RequireScope('read')
  @ReadsPersonalData('customer')
  async customer(@Param('id') id: string, @CurrentPrincipal() principal: Principal | undefined) {
    return this.customerAsSeenBy(await this.customers.get(id), principal);
  }

  /** A person sees a customer through the complaints of their own teams: only those complaints, links and identities. */
  private async customerAsSeenBy(
    view: CustomerView,
    principal: Principal | undefined,
  ): Promise<CustomerView> {
    const teams = teamFilterOf(principal);
    if (teams === null) return view;
    const mine = await this.complaintsOfTeams(view.id, teams);
    if (!mine.size) throw forbidden('This customer has no complaints of your teams');
    const links = view.links.filter((l) => mine.has(l.complaintId));
    const identities = view.identities.filter((i) =>
      links.some((l) => l.kind === i.kind && l.value === i.value),
    );
    return { ...view, identities, complaints: view.complaints.filter((c) => mine.has(c.id)), links };
  }

  private async complaintsOfTeams(customerId: string, teams: string[]): Promise<Set<string>> {
    const rows = (await this.dataSource.query(
      'SELECT id FROM complaints WHERE customer_id = $1 AND team_id = ANY($2)',
      [customerId, teams],
    )) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  /** Undoes a wrong link; what depended on it (the customer's complaint count, repeat escalations) is recounted. */
  @Delete('customers/:id/links/:linkId')
  @ApiDoc({
    summary:
      'Undo a wrong link; splits the customer where nothing holds it together and recounts repeat escalations',
    tags: ['customers'],
    responses: { 200: { description: 'Undone and recounted' }, 409: { description: 'Already undone' } },
  })
  @HttpCode(200)
  @RequireScope('act')
  async undoLink(
    @Param('id') id: string,
    @Param('linkId') linkId: string,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    const teams = teamFilterOf(principal);
    if (teams !== null) {
      // Only a link carried by a complaint of one's own teams is one's to undo.
      const [link] = (await this.dataSource.query(
        'SELECT l.complaint_id, c.team_id FROM customer_links l JOIN complaints c ON c.id = l.complaint_id WHERE l.id = $1 AND l.customer_id = $2',
        [linkId, id],
      )) as Array<{ complaint_id: string; team_id: string | null }>;
      if (!link || !link.team_id || !teams.includes(link.team_id))
        throw forbidden('This link belongs to a complaint of a team that is not yours');
    }
    const result = await this.customers.undoLink(id, linkId, actorOf(principal));
    const customer = await this.customerAsSeenBy(result.customer, principal).catch(() => null);
    const mine = teams === null ? null : new Set(customer?.complaints.map((c) => c.id) ?? []);
    const answer = {
      customer,
      splitInto: mine === null ? result.splitInto : [],
      recount: result.recount.filter((r) => mine === null || mine.has(r.complaintId)),
    };
    // Undoing a link reads (and answers with) the customer's personal data: it is logged like a read.
    await this.accessLog.record(principal, 'DELETE /api/customers/:id/links/:linkId', 'customer', [
      id,
      ...answer.splitInto,
    ]);
    return answer;
  }

  /** Gives a complaint to someone else: it needs more authority than its owner has, or a lead moves it. */
  @Post('complaints/:id/reassign')
  @ApiDoc({
    summary: 'Reassign a complaint (needs more authority, or a lead moves it)',
    tags: ['routing'],
    body: reassignSchema,
    responses: {
      200: { description: 'Reassigned, queued or escalated' },
      409: { description: 'No owner to take it from' },
    },
  })
  @HttpCode(200)
  @RequireScope('act')
  @ComplaintAccess('id')
  async reassign(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    if (!COMPLAINT_ID.test(id)) throw ApiError.notFound('complaint', id);
    // Moving work between people is a lead's (or an admin's) call; a handler hands a complaint back instead.
    if (principal?.kind === 'user' && !REASSIGNERS.includes(principal.role ?? ''))
      throw forbidden(
        'Only team leads and admins reassign complaints; hand it back instead (action hand-back)',
      );
    const input = parseOrThrow(reassignSchema, body);
    return this.dataSource.transaction(async (manager) => {
      const [row] = (await manager.query('SELECT owner_id FROM complaints WHERE id = $1', [id])) as Array<{
        owner_id: string | null;
      }>;
      if (!row) throw ApiError.notFound('complaint', id);
      if (!row.owner_id) throw ApiError.conflict('no-owner', `${id} has no owner to take it from`);
      if (input.reason === 'manual' && input.memberId) {
        // Only someone who can own a complaint, in a team the caller may hand work to.
        const [m] = (await manager.query('SELECT team_id, role, active FROM team_members WHERE id = $1', [
          input.memberId,
        ])) as Array<{ team_id: string; role: string; active: boolean }>;
        if (!m)
          throw ApiError.badRequest('invalid-field', `member ${input.memberId} does not exist`, 'memberId');
        if (!OWNER_ROLES.includes(m.role) || !m.active || !mayAccessTeam(principal, m.team_id))
          throw ApiError.badRequest(
            'invalid-field',
            `member ${input.memberId} cannot own this complaint (${m.active ? m.role : 'inactive'}${mayAccessTeam(principal, m.team_id) ? '' : ', not in your teams'})`,
            'memberId',
          );
      }
      return this.reassignments.reassign(
        manager,
        [
          {
            complaintId: id,
            fromOwnerId: row.owner_id,
            cause: input.reason,
            ...(input.reason === 'manual' && input.memberId ? { toMemberId: input.memberId } : {}),
            ...(input.reason === 'needs-authority' ? { requiredAuthority: input.requiredAuthority } : {}),
            causeId: newId('rea'),
            actor: actorOf(principal),
            note: `${input.note} — ${principal?.name ?? 'unknown'}`,
          },
        ],
        this.clock.now(),
      );
    });
  }
}
