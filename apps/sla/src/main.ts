import { parseEnv, positiveInt } from '@klaxon/platform/config';
import { runApp, runMain } from '@klaxon/platform/runtime';
import { SlaModule } from '@klaxon/sla/feature';

// SLA: assignments and case events → clocks → sla.alerts.
runMain(() => {
  const env = parseEnv({ SLA_SCAN_INTERVAL_MS: positiveInt.default(1_000) }, process.env);
  return runApp({ service: 'sla', env: process.env, defaultPort: 3003, features: [SlaModule.forRoot({ scanIntervalMs: env.SLA_SCAN_INTERVAL_MS })] });
});
