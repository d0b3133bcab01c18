import { z } from 'zod';
import { ConsoleModule, ensureConsoleBundle } from '@klaxon/console/feature';
import { CasesModule } from '@klaxon/cases/feature';
import { IntakeModule } from '@klaxon/intake/feature';
import { parseEnv } from '@klaxon/platform/config';
import { runApp, runMain } from '@klaxon/platform/runtime';

// The console on its own (port 3006): the built front-end at /console, sign-in, the live event
// stream, and the complaint reads and case actions it needs. Needs KAFKA_BROKERS and DATABASE_URL.
runMain(() => {
  const env = parseEnv({ CONSOLE_WEB_ROOT: z.string().optional() }, process.env);
  return runApp({
    service: 'console',
    env: process.env,
    defaultPort: 3006,
    features: [
      ConsoleModule.forRoot({ webRoot: env.CONSOLE_WEB_ROOT ?? ensureConsoleBundle() }),
      IntakeModule,
      CasesModule,
    ],
  });
});
