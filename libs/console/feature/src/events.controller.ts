import { Controller, Get, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, PrincipalResolvers, RequireScope, type Principal } from '@klaxon/platform/auth';
import { ApiDoc } from '@klaxon/platform/openapi';
import { LiveFeed, type LiveEvent } from './live-feed';

/** Server-sent events: what happens to complaints, as it happens, for the signed-in viewer. */
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly feed: LiveFeed,
    private readonly resolvers: PrincipalResolvers,
  ) {}

  @Get('stream')
  @RequireScope('read')
  @ApiDoc({
    summary:
      'Live events (text/event-stream): complaint received/classified/assigned/escalated, SLA alerts, case events',
    description:
      'Each `data:` line is JSON `{ type, complaintId?, teamId?, occurredAt }`; the complaint id only when the viewer may see that complaint.',
    tags: ['console'],
    responses: { 200: { description: 'An endless event stream' } },
  })
  stream(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: 1000\n: connected\n\n`);
    const send = (event: LiveEvent) => raw.write(`event: klaxon\ndata: ${JSON.stringify(event)}\n\n`);
    const remove = this.feed.add({ principal, send, end: () => raw.end() });
    // Every 15 s: a keep-alive, and the credentials checked again (signed out, revoked or expired ends the stream).
    const heartbeat = setInterval(() => {
      this.resolvers.resolve({ headers: request.headers, method: 'GET' }).then(
        (p) => (p ? raw.write(`: keep-alive\n\n`) : raw.end()),
        () => raw.end(),
      );
    }, 15_000);
    heartbeat.unref();
    const close = () => {
      clearInterval(heartbeat);
      remove();
    };
    request.raw.on('close', close);
    raw.on('close', close);
  }
}
