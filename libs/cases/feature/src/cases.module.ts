import { Module } from '@nestjs/common';
import { CaseActionsController } from './case-actions.controller';
import { CaseActionsService } from './case-actions.service';

/** Handlers act on complaints: acknowledge, reply, wait, resolve, reopen, hand back, correct, CSAT. */
@Module({
  controllers: [CaseActionsController],
  providers: [CaseActionsService],
  exports: [CaseActionsService],
})
export class CasesModule {}
