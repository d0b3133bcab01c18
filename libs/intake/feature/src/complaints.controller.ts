import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiError, parseOrThrow } from '@klaxon/platform/runtime';
import { ComplaintIntakeService } from './complaint-intake.service';
import { ComplaintQueryService } from './complaint-query.service';
import type { ComplaintView, Page } from './complaint-view';
import { listComplaintsQuerySchema, submitComplaintSchema } from './submit-complaint.dto';

const IDEMPOTENCY_KEY = /^[A-Za-z0-9._:-]{1,200}$/;

@Controller('api/complaints')
export class ComplaintsController {
  constructor(
    private readonly intake: ComplaintIntakeService,
    private readonly query: ComplaintQueryService,
  ) {}

  /** 202 once the complaint and its event are committed; the pipeline takes it from there. */
  @Post()
  @HttpCode(202)
  async submit(@Body() body: unknown, @Headers('idempotency-key') idempotencyKey?: string): Promise<{ id: string }> {
    if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
      throw ApiError.badRequest('invalid-header', 'Idempotency-Key must be 1-200 characters of A-Z a-z 0-9 . _ : -', 'Idempotency-Key');
    }
    const submission = parseOrThrow(submitComplaintSchema, body);
    const { id } = await this.intake.submit(submission, idempotencyKey);
    return { id };
  }

  @Get()
  list(@Query() query: Record<string, string>): Promise<Page<ComplaintView>> {
    return this.query.list(parseOrThrow(listComplaintsQuerySchema, query, 'query'));
  }

  @Get(':id')
  async get(@Param('id') id: string): Promise<ComplaintView> {
    const view = await this.query.get(id);
    if (!view) throw ApiError.notFound('complaint', id);
    return view;
  }
}
