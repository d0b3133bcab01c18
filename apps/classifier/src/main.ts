import './quiet-dotenv';
import { ClassificationModule } from '@klaxon/classification/feature';
import { parseEnv, positiveInt } from '@klaxon/platform/config';
import { runApp, runMain } from '@klaxon/platform/runtime';
import { z } from 'zod';

// Classifier: complaints.received → complaints.classified (scales on consumer lag).
runMain(() => {
  const env = parseEnv(
    {
      CLASSIFIER_MODEL_PATH: z.string().optional(),
      CLASSIFIER_RELOAD_INTERVAL_MS: positiveInt.default(5_000),
    },
    process.env,
  );
  return runApp({
    service: 'classifier',
    env: process.env,
    defaultPort: 3001,
    features: [
      ClassificationModule.forRoot({
        modelPath: env.CLASSIFIER_MODEL_PATH,
        reloadIntervalMs: env.CLASSIFIER_RELOAD_INTERVAL_MS,
      }),
    ],
  });
});
