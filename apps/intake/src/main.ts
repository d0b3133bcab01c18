import { IntakeModule } from '@klaxon/intake/feature';
import { runApp, runMain } from '@klaxon/platform/runtime';

// Intake: the public form, the JSON API and complaint reads (HTTP; scales on load).
runMain(() =>
  runApp({ service: 'intake', env: process.env, defaultPort: 3000, features: [IntakeModule], bodyLimitBytes: 256 * 1024 }),
);
