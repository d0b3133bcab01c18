import { Controller, Get, Inject, Query } from '@nestjs/common';
import { z } from 'zod';
import { channel, classifiedCategory, isoDateTime, priority } from '@klaxon/contracts';
import { RequireScope } from '@klaxon/platform/auth';
import { CLOCK, parseOrThrow, type Clock } from '@klaxon/platform/runtime';
import { computeDeadlines, selectPolicy } from '@klaxon/sla/domain';
import { ClockPlannerService } from './clock-planner.service';
import { SLA_OPTIONS, type SlaOptions } from './sla.options';

const previewQuery = z.strictObject({
  priority,
  channel,
  category: classifiedCategory,
  segment: z.string().min(1).max(100).optional(),
  receivedAt: isoDateTime.optional(),
});

const KEY = {
  acknowledgement: 'acknowledgement',
  owner: 'owner',
  'first-response': 'firstResponse',
  resolution: 'resolution',
} as const;

@Controller('api/sla')
export class SlaPreviewController {
  constructor(
    private readonly planner: ClockPlannerService,
    @Inject(SLA_OPTIONS) private readonly options: SlaOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Which policy applies and its deadlines, computed by the same code as the real clocks. */
  @Get('preview')
  @RequireScope('read')
  preview(@Query() query: Record<string, string>) {
    const q = parseOrThrow(previewQuery, query, 'query');
    const receivedAt = q.receivedAt ? new Date(q.receivedAt) : this.clock.now();
    const policy = selectPolicy(this.options.policies, q);
    const cal = this.planner.calendar;
    const clocks = computeDeadlines(policy, receivedAt, cal);
    return {
      policy: { id: policy.id, ...(policy.description ? { description: policy.description } : {}) },
      timeZone: cal.config.timeZone,
      receivedAt: cal.format(receivedAt),
      deadlines: Object.fromEntries(clocks.map((c) => [KEY[c.clock], cal.format(c.deadline)])),
      clocks: clocks.map((c) => ({
        clock: c.clock,
        time: c.time,
        durationMinutes: c.durationMs / 60_000,
        deadline: cal.format(c.deadline),
        warnAt: cal.format(c.warnAt),
      })),
    };
  }
}
