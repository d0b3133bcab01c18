import { Body, Controller, Post } from '@nestjs/common';
import { z } from 'zod';
import { CurrentPrincipal, RequireScope, type Principal } from '@klaxon/platform/auth';
import { ApiDoc } from '@klaxon/platform/openapi';
import { parseOrThrow } from '@klaxon/platform/runtime';
import { CustomerNoticesService } from './customer-notices.service';

const noticeSchema = z.strictObject({
  spikeId: z.string().min(1).max(100),
  /** A line of the team lead's own: what is known, when it will be fixed. */
  note: z.string().trim().min(1).max(2_000).optional(),
});

@Controller('api/customer-notices')
export class CustomerNoticesController {
  constructor(private readonly notices: CustomerNoticesService) {}

  /** One click: every customer who complained in a spike gets the incident notice (once). */
  @Post()
  @ApiDoc({
    summary:
      'Inform the customers who complained in a spike (one notice per customer, through the acknowledgement path)',
    tags: ['customer messages'],
    body: noticeSchema,
    responses: {
      201: { description: 'Queued; counts per way they go out' },
      403: { description: 'Another team’s spike, or not its owner or a lead' },
      409: { description: 'Not a spike, or closed' },
    },
  })
  @RequireScope('act')
  inform(@Body() body: unknown, @CurrentPrincipal() principal: Principal | undefined) {
    const input = parseOrThrow(noticeSchema, body);
    return this.notices.informComplainants(input.spikeId, input.note, principal);
  }
}
