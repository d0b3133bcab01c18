import './quiet-dotenv';
import path from 'node:path';
import { z } from 'zod';
import { parseEnv } from '@klaxon/platform/config';
import { runMain } from '@klaxon/platform/runtime';
import { startKlaxon } from './klaxon';

// `npm start`: every stage in one process. Without KAFKA_BROKERS / DATABASE_URL it runs on the
// in-process bus and an embedded PostgreSQL (PGlite) whose data lives in DATA_DIR.
runMain(() => {
  const env = parseEnv(
    { DATA_DIR: z.string().default('data'), CLASSIFIER_MODEL_PATH: z.string().optional() },
    process.env,
  );
  return startKlaxon({
    env: process.env,
    dataDir: path.resolve(env.DATA_DIR),
    modelPath: env.CLASSIFIER_MODEL_PATH,
  });
});
