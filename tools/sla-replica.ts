/**
 * One sla scheduler replica as its own process, for the crash test and the benchmark:
 *   DATABASE_URL=… SLA_SCAN_BATCH_SIZE=200 SLA_SCAN_INTERVAL_MS=50 node -r @swc-node/register tools/sla-replica.ts
 * It runs the alert pass in a loop (exactly what SlaScheduler does) until SIGTERM; a SIGKILL mid-pass
 * leaves an open transaction that PostgreSQL rolls back when the connection drops.
 */
import { silentLogger } from '@klaxon/platform/observability';
import { createDataSource } from '@klaxon/platform/persistence';
import { systemClock } from '@klaxon/platform/runtime';
import {
  DEFAULT_SLA_OPTIONS,
  FireDueAlertsService,
  WebhooksService,
  type SlaOptions,
} from '@klaxon/sla/feature';

async function main(): Promise<void> {
  const ds = createDataSource({ url: process.env.DATABASE_URL!, poolMax: 2 });
  await ds.initialize();
  const options: SlaOptions = {
    ...DEFAULT_SLA_OPTIONS,
    scheduler: false,
    scanBatchSize: Number(process.env.SLA_SCAN_BATCH_SIZE ?? 500),
    scanIntervalMs: Number(process.env.SLA_SCAN_INTERVAL_MS ?? 200),
  };
  const alerts = new FireDueAlertsService(
    ds,
    options,
    systemClock,
    silentLogger,
    new WebhooksService(ds, options, systemClock, silentLogger),
  );
  let stopping = false;
  process.on('SIGTERM', () => (stopping = true));
  process.stdout.write('ready\n');
  let total = 0;
  while (!stopping) {
    const fired = await alerts.fireDue();
    total += fired;
    if (fired < options.scanBatchSize) await new Promise((r) => setTimeout(r, options.scanIntervalMs));
  }
  process.stdout.write(`${JSON.stringify({ fired: total, cpu: process.cpuUsage() })}\n`);
  await ds.destroy();
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
