import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { MailboxWorkersService } from './mailbox-workers.service';

/** State of every mailbox: 503 while a mailbox's credentials are rejected, with the reason. */
@Controller()
export class EmailHealthController {
  constructor(private readonly workers: MailboxWorkersService) {}

  @Get('health/email')
  async email(@Res() reply: FastifyReply): Promise<void> {
    const mailboxes = this.workers.workers.map((w) => w.status());
    const ok = mailboxes.every((m) => m.state !== 'unauthorized' && m.state !== 'stopped');
    await reply
      .status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .send({ status: ok ? 'ok' : 'unavailable', mailboxes });
  }
}
