import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { SocialIngestRunner } from './social-ingest.runner';

/** Readiness of the social sources: 503 while credentials are rejected, with the reason. */
@Controller()
export class SocialHealthController {
  constructor(private readonly runner: SocialIngestRunner) {}

  @Get('health/social')
  async social(@Res() reply: FastifyReply): Promise<void> {
    const sources = this.runner.status();
    const ok = sources.every((s) => s.state !== 'unauthorized' && s.state !== 'stopped');
    await reply
      .status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE)
      .send({ status: ok ? 'ok' : 'unavailable', sources });
  }
}
