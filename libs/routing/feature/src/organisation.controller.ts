import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, RequireScope, type Principal } from '@klaxon/platform/auth';
import { ApiDoc } from '@klaxon/platform/openapi';
import { parseOrThrow } from '@klaxon/platform/runtime';
import {
  absenceSchema,
  memberPatchSchema,
  memberSchema,
  ruleSetSchema,
  teamPatchSchema,
  teamSchema,
} from './organisation.dto';
import { OrganisationService, type MemberView } from './organisation.service';

/**
 * Why someone is absent ("medical: …") is theirs, their team lead's and the admins' to know: others
 * see that and when, not why.
 */
function withoutPrivateReasons(
  m: MemberView,
  principal: Principal | undefined,
  leads: Set<string>,
): MemberView {
  const mayKnow =
    principal?.kind === 'api-key' ||
    principal?.role === 'admin' ||
    principal?.memberId === m.id ||
    leads.has(m.teamId);
  return mayKnow ? m : { ...m, absences: m.absences.map((a) => ({ ...a, reason: undefined })) };
}

/** The organisation the router routes to: read with `read`, changed with `admin`. */
@Controller('api')
export class OrganisationController {
  constructor(private readonly organisation: OrganisationService) {}

  @Get('teams')
  @ApiDoc({ summary: 'List the teams', tags: ['organisation'] })
  @RequireScope('read')
  teams() {
    return this.organisation.listTeams();
  }

  @Post('teams')
  @ApiDoc({
    summary: 'Create a team',
    tags: ['organisation'],
    body: teamSchema,
    responses: { 201: { description: 'Created' }, 409: { description: 'The id is taken' } },
  })
  @RequireScope('admin')
  createTeam(@Body() body: unknown) {
    return this.organisation.createTeam(parseOrThrow(teamSchema, body));
  }

  @Patch('teams/:id')
  @ApiDoc({ summary: 'Change a team (name, lead, unit)', tags: ['organisation'], body: teamPatchSchema })
  @RequireScope('admin')
  updateTeam(@Param('id') id: string, @Body() body: unknown) {
    return this.organisation.updateTeam(id, parseOrThrow(teamPatchSchema, body));
  }

  @Get('members')
  @ApiDoc({
    summary: 'List members with skills, capacity, load, working hours and current absences',
    tags: ['organisation'],
  })
  @RequireScope('read')
  async members(
    @Query('teamId') teamId: string | undefined,
    @CurrentPrincipal() principal: Principal | undefined,
  ) {
    const list = await this.organisation.listMembers(teamId);
    const leads = await this.ledTeams(principal);
    return { ...list, items: list.items.map((m) => withoutPrivateReasons(m, principal, leads)) };
  }

  @Get('members/:id')
  @ApiDoc({ summary: 'One member with all their absences', tags: ['organisation'] })
  @RequireScope('read')
  async member(@Param('id') id: string, @CurrentPrincipal() principal: Principal | undefined) {
    return withoutPrivateReasons(
      await this.organisation.getMember(id),
      principal,
      await this.ledTeams(principal),
    );
  }

  /** The teams the principal leads (a person's absences are their lead's business). */
  private async ledTeams(principal: Principal | undefined): Promise<Set<string>> {
    if (!principal?.memberId) return new Set();
    const teams = await this.organisation.listTeams();
    return new Set(teams.items.filter((t) => t.leadId === principal.memberId).map((t) => t.id));
  }

  @Post('members')
  @ApiDoc({
    summary: 'Add a member; the team queue is offered at once',
    tags: ['organisation'],
    body: memberSchema,
    responses: { 201: { description: 'Created' }, 409: { description: 'The id is taken' } },
  })
  @RequireScope('admin')
  createMember(@Body() body: unknown) {
    return this.organisation.createMember(parseOrThrow(memberSchema, body));
  }

  @Patch('members/:id')
  @ApiDoc({
    summary:
      'Change a member; more capacity or new hours offer the queue, deactivation hands their complaints back',
    tags: ['organisation'],
    body: memberPatchSchema,
  })
  @RequireScope('admin')
  updateMember(@Param('id') id: string, @Body() body: unknown) {
    return this.organisation.updateMember(id, parseOrThrow(memberPatchSchema, body));
  }

  /** An absence that has begun hands the member's open complaints to the replacement at once. */
  @Post('members/:id/absences')
  @ApiDoc({
    summary: 'Record an absence with an optional replacement',
    tags: ['organisation'],
    body: absenceSchema,
  })
  @RequireScope('admin')
  addAbsence(@Param('id') id: string, @Body() body: unknown) {
    return this.organisation.addAbsence(id, parseOrThrow(absenceSchema, body));
  }

  @Delete('members/:id/absences/:absenceId')
  @ApiDoc({
    summary: 'Remove an absence',
    tags: ['organisation'],
    responses: { 204: { description: 'Removed' }, 404: { description: 'No such absence' } },
  })
  @HttpCode(204)
  @RequireScope('admin')
  async removeAbsence(@Param('id') id: string, @Param('absenceId') absenceId: string): Promise<void> {
    await this.organisation.removeAbsence(id, absenceId);
  }

  @Get('routing-rules')
  @ApiDoc({ summary: 'The routing rules in force', tags: ['organisation'] })
  @RequireScope('read')
  rules() {
    return this.organisation.currentRules();
  }

  @Get('routing-rules/versions')
  @ApiDoc({ summary: 'Every version of the routing rules, newest first', tags: ['organisation'] })
  @RequireScope('read')
  ruleVersions() {
    return this.organisation.ruleVersions();
  }

  /** Saves a new version of the rules; earlier versions are kept. */
  @Put('routing-rules')
  @ApiDoc({
    summary: 'Save the routing rules as a new version',
    tags: ['organisation'],
    body: ruleSetSchema,
    responses: {
      200: { description: 'The new version' },
      400: { description: 'Unknown teams or malformed rules' },
    },
  })
  @RequireScope('admin')
  saveRules(@Body() body: unknown, @CurrentPrincipal() principal: Principal | undefined) {
    return this.organisation.saveRules(
      parseOrThrow(ruleSetSchema, body),
      principal ? `${principal.kind}:${principal.id}` : 'unknown',
    );
  }
}
