import { parseEnv } from '@klaxon/platform/config';
import { createDataSource, runMigrations } from '@klaxon/platform/persistence';
import { runMain } from '@klaxon/platform/runtime';
import { z } from 'zod';

/**
 * The release's schema step, shipped in the intake image as `migrate.js` (deploy/k8s: the migration
 * Job and every Deployment's init container):
 *   node migrate.js          apply pending migrations once (serialised by an advisory lock), exit 0
 *   node migrate.js --wait   wait until no migration this build knows is pending (the Job's work), exit 0
 */
runMain(async () => {
  const env = parseEnv(
    {
      DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
      MIGRATE_WAIT_TIMEOUT_MS: z.coerce.number().int().positive().default(600_000),
    },
    process.env,
  );
  const wait = process.argv.includes('--wait');
  const log = (msg: string, extra: object = {}) =>
    process.stdout.write(`${JSON.stringify({ level: 'info', service: 'migrate', msg, ...extra })}\n`);
  const dataSource = createDataSource({ url: env.DATABASE_URL, poolMax: 2 });
  await dataSource.initialize();
  try {
    if (!wait) {
      const applied = await runMigrations(dataSource);
      log('migrations applied', { applied });
      return;
    }
    const deadline = Date.now() + env.MIGRATE_WAIT_TIMEOUT_MS;
    while (await dataSource.showMigrations().catch(() => true)) {
      if (Date.now() > deadline)
        throw new Error(
          `schema still has pending migrations after ${env.MIGRATE_WAIT_TIMEOUT_MS} ms: is the migration Job running?`,
        );
      log('waiting for the migration Job');
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
    log('schema is up to date');
  } finally {
    await dataSource.destroy();
  }
});
