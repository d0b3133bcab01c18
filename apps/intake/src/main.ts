import { CasesModule } from '@klaxon/cases/feature';
import { IntakeModule } from '@klaxon/intake/feature';
import { runApp, runMain } from '@klaxon/platform/runtime';

// Intake: the public form, the JSON API, complaint reads and handlers' case actions (HTTP; scales on load).
runMain(() =>
  runApp({
    service: 'intake',
    env: process.env,
    defaultPort: 3000,
    features: [IntakeModule, CasesModule],
    bodyLimitBytes: 256 * 1024,
  }),
);
