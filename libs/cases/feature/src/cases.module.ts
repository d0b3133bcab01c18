import { Module } from '@nestjs/common';
import { CaseActionsController } from './case-actions.controller';
import { CaseActionsService } from './case-actions.service';
import { ThreadController } from './thread.controller';
import { ThreadService } from './thread.service';

/** Handlers act on complaints (acknowledge, reply, wait, resolve, reopen, hand back, correct, CSAT) and keep the conversation. */
@Module({
  controllers: [CaseActionsController, ThreadController],
  providers: [CaseActionsService, ThreadService],
  exports: [CaseActionsService],
})
export class CasesModule {}
