import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { CurrentPrincipal, RequireScope, type Principal } from '@klaxon/platform/auth';
import { parseOrThrow } from '@klaxon/platform/runtime';
import { absenceSchema, memberPatchSchema, memberSchema, ruleSetSchema, teamPatchSchema, teamSchema } from './organisation.dto';
import { OrganisationService } from './organisation.service';

/** The organisation the router routes to: read with `read`, changed with `admin`. */
@Controller('api')
export class OrganisationController {
  constructor(private readonly organisation: OrganisationService) {}

  @Get('teams')
  @RequireScope('read')
  teams() {
    return this.organisation.listTeams();
  }

  @Post('teams')
  @RequireScope('admin')
  createTeam(@Body() body: unknown) {
    return this.organisation.createTeam(parseOrThrow(teamSchema, body));
  }

  @Patch('teams/:id')
  @RequireScope('admin')
  updateTeam(@Param('id') id: string, @Body() body: unknown) {
    return this.organisation.updateTeam(id, parseOrThrow(teamPatchSchema, body));
  }

  @Get('members')
  @RequireScope('read')
  members(@Query('teamId') teamId?: string) {
    return this.organisation.listMembers(teamId);
  }

  @Get('members/:id')
  @RequireScope('read')
  member(@Param('id') id: string) {
    return this.organisation.getMember(id);
  }

  @Post('members')
  @RequireScope('admin')
  createMember(@Body() body: unknown) {
    return this.organisation.createMember(parseOrThrow(memberSchema, body));
  }

  @Patch('members/:id')
  @RequireScope('admin')
  updateMember(@Param('id') id: string, @Body() body: unknown) {
    return this.organisation.updateMember(id, parseOrThrow(memberPatchSchema, body));
  }

  /** An absence that has begun hands the member's open complaints to the replacement at once. */
  @Post('members/:id/absences')
  @RequireScope('admin')
  addAbsence(@Param('id') id: string, @Body() body: unknown) {
    return this.organisation.addAbsence(id, parseOrThrow(absenceSchema, body));
  }

  @Delete('members/:id/absences/:absenceId')
  @HttpCode(204)
  @RequireScope('admin')
  async removeAbsence(@Param('id') id: string, @Param('absenceId') absenceId: string): Promise<void> {
    await this.organisation.removeAbsence(id, absenceId);
  }

  @Get('routing-rules')
  @RequireScope('read')
  rules() {
    return this.organisation.currentRules();
  }

  @Get('routing-rules/versions')
  @RequireScope('read')
  ruleVersions() {
    return this.organisation.ruleVersions();
  }

  /** Saves a new version of the rules; earlier versions are kept. */
  @Put('routing-rules')
  @RequireScope('admin')
  saveRules(@Body() body: unknown, @CurrentPrincipal() principal: Principal | undefined) {
    return this.organisation.saveRules(parseOrThrow(ruleSetSchema, body), principal ? `${principal.kind}:${principal.id}` : 'unknown');
  }
}
