import type { FastifyReply } from 'fastify';
import type { DataSource } from 'typeorm';
import type { ConsumerStall, MessageBus } from '@klaxon/platform/messaging';
import { createMetricsRegistry } from '@klaxon/platform/observability';
import { HealthController } from './health.controller';

function answer(stalls: ConsumerStall[]) {
  const bus = { isHealthy: () => stalls.length === 0, stalls: () => stalls } as unknown as MessageBus;
  const dataSource = { query: async () => [{ '?column?': 1 }] } as unknown as DataSource;
  const sent: { status?: number; body?: unknown } = {};
  const reply = {
    status(code: number) {
      sent.status = code;
      return this;
    },
    async send(body: unknown) {
      sent.body = body;
    },
  } as unknown as FastifyReply;
  return {
    controller: new HealthController(dataSource, bus, createMetricsRegistry('health-test')),
    reply,
    sent,
  };
}

describe('GET /health/ready', () => {
  it('is ready with no stalled consumer', async () => {
    const { controller, reply, sent } = answer([]);
    await controller.ready(reply);
    expect(sent).toEqual({
      status: 200,
      body: { status: 'ok', checks: { database: true, bus: true }, stalled: [] },
    });
  });

  it('answers 503 "stalled" with the reason while a consumer waits for a dependency', async () => {
    const stall = {
      groupId: 'klaxon-router',
      reason: 'sqlstate-57p01',
      attempts: 4,
      since: '2026-12-08T00:00:00.000Z',
    };
    const { controller, reply, sent } = answer([stall]);
    await controller.ready(reply);
    expect(sent).toEqual({
      status: 503,
      body: { status: 'stalled', checks: { database: true, bus: false }, stalled: [stall] },
    });
  });
});
