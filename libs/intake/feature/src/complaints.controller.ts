import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { referenceFor, type Submission } from '@klaxon/intake/domain';
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
import { ComplaintIntakeService } from './complaint-intake.service';
import { ComplaintQueryService } from './complaint-query.service';
import { complaintViewSchema, pageOf, type ComplaintView, type Page } from './complaint-view';
import { IntakeMetrics } from './intake.metrics';
import {
  acceptedSchema,
  listComplaintsQuerySchema,
  phoneNoteSchema,
  submitComplaintSchema,
} from './submit-complaint.dto';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const idempotencyHeader = {
  name: 'Idempotency-Key',
  description:
    'Makes retries safe: the same key from the same caller gives the same complaint; the same key with other content is 409 idempotency-key-reused (1-200 of A-Z a-z 0-9 . _ : -)',
  schema: z.string().regex(IDEMPOTENCY_KEY),
};
const accepted = {
  202: {
    description: 'Stored and handed to the pipeline (also for a retry of an accepted post)',
    schema: acceptedSchema,
  },
};

/** The JSON API for the company's own site and apps, and the call-centre's notes. */
@Controller('api')
export class ComplaintsController {
  constructor(
    private readonly intake: ComplaintIntakeService,
    private readonly query: ComplaintQueryService,
    private readonly metrics: IntakeMetrics,
  ) {}

  /** 202 once the complaint and its event are committed; the pipeline takes it from there. */
  @Post('complaints')
  @HttpCode(202)
  @RequireScope('submit')
  @ApiDoc({
    summary: 'Submit a complaint (web) or a call-centre note (phone)',
    description:
      'Whatever the customer picked (question, feedback, …), the classifier decides whether it is a complaint. Bodies over 256 KiB: 413 payload-too-large; non-JSON: 400 invalid-json.',
    tags: ['complaints'],
    body: submitComplaintSchema,
    headers: [idempotencyHeader],
    responses: {
      ...accepted,
      409: { description: 'idempotency-key-reused: this key came with other content before' },
      413: { description: 'Body over 256 KiB' },
    },
  })
  async submit(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ id: string; reference: string }> {
    const channel = channelOf(body);
    const submission = this.validated(channel, () => {
      checkIdempotencyKey(idempotencyKey);
      return parseOrThrow(submitComplaintSchema, body);
    });
    return this.accept(submission, scopedKey(principal, idempotencyKey));
  }

  /** The call-centre's own shape for the same thing as `POST /api/complaints` with channel `phone`. */
  @Post('phone-notes')
  @HttpCode(202)
  @RequireScope('submit')
  @ApiDoc({
    summary: 'Submit a call-centre note after a call',
    description:
      'The caller’s phone number is normalised to E.164 so the same caller is recognised on the next call and across channels. Same code path as POST /api/complaints with channel phone; `noteId` (or Idempotency-Key) makes a retry the same complaint.',
    tags: ['complaints'],
    body: phoneNoteSchema,
    headers: [idempotencyHeader],
    responses: accepted,
  })
  async phoneNote(
    @Body() body: unknown,
    @CurrentPrincipal() principal: Principal | undefined,
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<{ id: string; reference: string }> {
    const note = this.validated('phone', () => {
      checkIdempotencyKey(idempotencyKey);
      return parseOrThrow(phoneNoteSchema, body);
    });
    const submission: Submission = {
      channel: 'phone',
      text: note.summary,
      ...(note.subject ? { subject: note.subject } : {}),
      customer: {
        name: note.callerName,
        email: note.callerEmail,
        phone: note.callerPhone,
        customerNumber: note.customerNumber,
      },
      ...(note.language ? { language: note.language } : {}),
      ...(note.unit ? { unit: note.unit } : {}),
      phone: { agentId: note.agentId, callAt: note.callAt },
    };
    return this.accept(
      submission,
      scopedKey(principal, idempotencyKey),
      note.noteId ? `phone-note:${note.noteId}` : undefined,
    );
  }

  @Get('complaints')
  @RequireScope('read')
  @ApiDoc({
    summary: 'List complaints, newest first (a signed-in person sees only their teams’)',
    tags: ['complaints'],
    query: listComplaintsQuerySchema,
    responses: { 200: { description: 'One page and the total', schema: pageOf(complaintViewSchema) } },
  })
  @ReadsPersonalData('complaint')
  list(
    @Query() query: Record<string, string>,
    @CurrentPrincipal() principal: Principal,
  ): Promise<Page<ComplaintView>> {
    // People see their own teams' complaints only (executives, admins and API keys: every team).
    return this.query.list(parseOrThrow(listComplaintsQuerySchema, query, 'query'), teamFilterOf(principal));
  }

  @Get('complaints/:id')
  @RequireScope('read')
  @ApiDoc({
    summary:
      'One complaint with its classification, owner (and why), deadlines and history (403 for another team’s complaint)',
    tags: ['complaints'],
    responses: {
      200: { description: 'The complaint', schema: complaintViewSchema },
      404: { description: 'No such complaint' },
    },
  })
  @ComplaintAccess('id')
  @ReadsPersonalData('complaint')
  async get(@Param('id') id: string): Promise<ComplaintView> {
    const view = await this.query.get(id);
    if (!view) throw ApiError.notFound('complaint', id);
    return view;
  }

  private validated<T>(channel: string, parse: () => T): T {
    try {
      return parse();
    } catch (error) {
      this.metrics.errors.inc({ channel, code: error instanceof ApiError ? error.code : 'invalid' });
      throw error;
    }
  }

  private async accept(
    submission: Submission,
    idempotencyKey?: string,
    sourceId?: string,
  ): Promise<{ id: string; reference: string }> {
    const { id } = await this.intake.submit(submission, idempotencyKey, sourceId);
    return { id, reference: referenceFor(id) };
  }
}

/** A key is the caller's own: another caller's same key is another complaint (and learns nothing of the first). */
function scopedKey(principal: Principal | undefined, key: string | undefined): string | undefined {
  return key === undefined ? undefined : `${principal?.kind ?? 'anonymous'}:${principal?.id ?? ''}:${key}`;
}

function checkIdempotencyKey(key: string | undefined): void {
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw ApiError.badRequest(
      'invalid-header',
      'Idempotency-Key must be 1-200 characters of A-Z a-z 0-9 . _ : -',
      'Idempotency-Key',
    );
  }
}

function channelOf(body: unknown): string {
  const channel = (body as { channel?: unknown } | null)?.channel;
  return channel === 'web' || channel === 'phone' ? channel : 'unknown';
}
