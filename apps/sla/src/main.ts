import { z } from 'zod';
import { bool, parseEnv, positiveInt } from '@klaxon/platform/config';
import { runApp, runMain } from '@klaxon/platform/runtime';
import { SlaModule, customerMessagingFromEnv } from '@klaxon/sla/feature';

const webhooks = z
  .string()
  .transform((s, ctx) => {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
  })
  .pipe(
    z.array(
      z.strictObject({
        id: z.string().min(1),
        url: z.url(),
        secret: z.string().min(16),
        events: z.array(z.string()).optional(),
      }),
    ),
  );

// SLA: assignments and case events → clocks → sla.alerts, webhooks, acknowledgements and CSAT requests.
runMain(() => {
  const env = parseEnv(
    {
      SLA_SCAN_INTERVAL_MS: positiveInt.default(1_000),
      SLA_SCAN_BATCH_SIZE: positiveInt.default(500),
      SLA_SCHEDULER: bool.default(true),
      SLA_WEBHOOKS_JSON: webhooks.optional(),
    },
    process.env,
  );
  return runApp({
    service: 'sla',
    env: process.env,
    defaultPort: 3003,
    features: [
      SlaModule.forRoot({
        scanIntervalMs: env.SLA_SCAN_INTERVAL_MS,
        scanBatchSize: env.SLA_SCAN_BATCH_SIZE,
        scheduler: env.SLA_SCHEDULER,
        webhooks: env.SLA_WEBHOOKS_JSON ?? [],
        ...customerMessagingFromEnv(process.env, { embedded: false }),
      }),
    ],
  });
});
