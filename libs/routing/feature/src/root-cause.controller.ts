import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { CurrentPrincipal, RequireScope, teamFilterOf, type Principal } from '@klaxon/platform/auth';
import { ApiDoc } from '@klaxon/platform/openapi';
import { ApiError, CLOCK, parseOrThrow, type Clock } from '@klaxon/platform/runtime';
import {
  closeSpikeSchema,
  conclusionSchema,
  listRootCausesSchema,
  rootCauseSummarySchema,
} from './root-cause.dto';
import { RootCauseWork } from './root-cause-work';

/**
 * Root-cause reviews (N complaints of a category in a window) and spikes (a category rising against
 * its usual rate, proposed as an incident) as work with an owner. A person sees those of their teams.
 */
@Controller('api/root-cause-items')
export class RootCauseController {
  constructor(
    private readonly work: RootCauseWork,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @ApiDoc({
    summary: 'Root-cause reviews and spikes (open first), with owner, due date and linked complaints',
    tags: ['root causes'],
    query: listRootCausesSchema,
  })
  @RequireScope('read')
  list(@Query() query: Record<string, string>, @CurrentPrincipal() principal: Principal | undefined) {
    return this.work.list(parseOrThrow(listRootCausesSchema, query, 'query'), teamFilterOf(principal));
  }

  @Get('summary')
  @ApiDoc({
    summary: 'KPIs of root-cause work: reviews open, overdue, completed (on time), founded rate; spikes',
    tags: ['root causes'],
    query: rootCauseSummarySchema,
  })
  @RequireScope('read')
  summary(@Query() query: Record<string, string>, @CurrentPrincipal() principal: Principal | undefined) {
    const q = parseOrThrow(rootCauseSummarySchema, query, 'query');
    const to = q.to ? new Date(q.to) : this.clock.now();
    const from = q.from ? new Date(q.from) : new Date(to.getTime() - 30 * 86_400_000);
    if (from >= to) throw ApiError.badRequest('invalid-field', 'from must be before to', 'from');
    const mine = teamFilterOf(principal);
    const teams = q.teamId ? (mine === null || mine.includes(q.teamId) ? [q.teamId] : []) : mine;
    return this.work.summary(from, to, teams);
  }

  @Get(':id')
  @ApiDoc({
    summary:
      'One review or spike with its complaints (id, reference, status) and, for a spike, the notices sent',
    tags: ['root causes'],
    responses: { 403: { description: 'Another team’s' }, 404: { description: 'No such item' } },
  })
  @RequireScope('read')
  get(@Param('id') id: string, @CurrentPrincipal() principal: Principal | undefined) {
    return this.work.get(id, principal);
  }

  @Post(':id/conclusion')
  @ApiDoc({
    summary:
      'The owner (or a team lead) records the cause, the measure taken and whether the complaints were founded',
    tags: ['root causes'],
    body: conclusionSchema,
    responses: {
      403: { description: 'Not the owner or a lead' },
      409: { description: 'A spike, or already concluded' },
    },
  })
  @HttpCode(200)
  @RequireScope('act')
  async conclude(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    await this.work.get(id, principal); // another team's review: 403 before anything about the body is said
    return this.work.conclude(id, parseOrThrow(conclusionSchema, body), principal);
  }

  @Post(':id/close')
  @ApiDoc({
    summary: 'Close a spike: no incident after all, or dealt with',
    tags: ['root causes'],
    body: closeSpikeSchema,
    responses: { 409: { description: 'A review, or already closed' } },
  })
  @HttpCode(200)
  @RequireScope('act')
  async close(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    await this.work.get(id, principal); // another team's spike: 403 before anything about the body is said
    return this.work.closeSpike(id, parseOrThrow(closeSpikeSchema, body ?? {}).note, principal);
  }
}
