import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ComplaintAccess, CurrentPrincipal, RequireScope, type Principal } from '@klaxon/platform/auth';
import { ApiError, parseOrThrow } from '@klaxon/platform/runtime';
import { caseCommandSchema } from './case-action.dto';
import { CaseActionsService, type CaseActionResult } from './case-actions.service';

const COMPLAINT_ID = /^cmp_[0-9a-z]{20,40}$/;

@Controller('api/complaints')
export class CaseActionsController {
  constructor(private readonly cases: CaseActionsService) {}

  /** One handler action; 409 `invalid-transition` when it makes no sense in the complaint's state. */
  @Post(':id/actions')
  @HttpCode(200)
  @RequireScope('act')
  @ComplaintAccess('id')
  act(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<CaseActionResult> {
    if (!COMPLAINT_ID.test(id)) throw ApiError.notFound('complaint', id);
    const command = parseOrThrow(caseCommandSchema, body);
    return this.cases.act(id, command, {
      id: principal?.id ?? 'unknown',
      name: principal?.name ?? 'unknown',
      ...(principal ? { kind: principal.kind } : {}),
      ...(principal?.role ? { role: principal.role } : {}),
      ...(principal?.memberId ? { memberId: principal.memberId } : {}),
    });
  }
}
