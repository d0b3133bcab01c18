import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ComplaintAccess,
  CurrentPrincipal,
  ReadsPersonalData,
  RequireScope,
  teamFilterOf,
  type Principal,
} from '@klaxon/platform/auth';
import { ApiDoc } from '@klaxon/platform/openapi';
import { ApiError, parseOrThrow } from '@klaxon/platform/runtime';
import { ThreadService } from './thread.service';
import {
  noteSchema,
  sentMailSchema,
  threadMessageSchema,
  threadSchema,
  type SentMail,
  type ThreadMessage,
} from './thread.view';

const COMPLAINT_ID = /^cmp_[0-9a-z]{20,40}$/;

/** The conversation with the customer: the thread, internal notes, and what the demo sent. */
@Controller('api')
export class ThreadController {
  constructor(private readonly threads: ThreadService) {}

  @Get('complaints/:id/messages')
  @RequireScope('read')
  @ApiDoc({
    summary:
      'The complaint’s conversation: inbound, outbound (with delivery state) and internal notes, oldest first',
    tags: ['complaints'],
    responses: {
      200: { description: 'The thread', schema: threadSchema },
      404: { description: 'No such complaint' },
    },
  })
  @ComplaintAccess('id')
  @ReadsPersonalData('complaint')
  async thread(@Param('id') id: string): Promise<{ complaintId: string; items: ThreadMessage[] }> {
    if (!COMPLAINT_ID.test(id)) throw ApiError.notFound('complaint', id);
    return { complaintId: id, items: await this.threads.thread(id) };
  }

  @Post('complaints/:id/notes')
  @HttpCode(201)
  @RequireScope('act')
  @ApiDoc({
    summary: 'Add an internal note to the complaint’s thread (staff only, never sent)',
    tags: ['complaints'],
    body: noteSchema,
    responses: { 201: { description: 'The note', schema: threadMessageSchema } },
  })
  @ComplaintAccess('id')
  note(
    @Param('id') id: string,
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
  ): Promise<ThreadMessage> {
    if (!COMPLAINT_ID.test(id)) throw ApiError.notFound('complaint', id);
    const { text } = parseOrThrow(noteSchema, body);
    return this.threads.addNote(id, text, principal?.name ?? 'unknown');
  }

  @Get('sent-mail')
  @RequireScope('read')
  @ApiDoc({
    summary:
      'What the demo sent: mail kept by the mail catcher (no SMTP) and X replies not posted (no X credentials)',
    tags: ['complaints'],
    responses: { 200: { description: 'Newest first', schema: sentMailSchema } },
  })
  @ReadsPersonalData('complaint')
  async sentMail(@CurrentPrincipal() principal: Principal | undefined): Promise<SentMail> {
    return { items: await this.threads.sentMail(teamFilterOf(principal)) };
  }
}
