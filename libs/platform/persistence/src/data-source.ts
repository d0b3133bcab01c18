import { DataSource, MigrationExecutor } from 'typeorm';
import { ENTITIES } from './entities';
import { MIGRATIONS } from './migrations';

export interface DataSourceOptions {
  url: string;
  poolMax: number;
  /** Statement timeout so a stuck query fails instead of holding a consumer forever. */
  statementTimeoutMs?: number;
}

/** The TypeORM data source over `pg`. The schema comes from migrations only, never `synchronize`. */
export function createDataSource(options: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url: options.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    // JIT off: Klaxon's statements are short; when a fast-growing table's statistics lag, the planner's
    // cost guesses cross jit_above_cost and each call spent ~45 ms compiling (seen under bench:pipeline).
    extra: {
      max: options.poolMax,
      statement_timeout: options.statementTimeoutMs ?? 60_000,
      options: '-c jit=off',
    },
  });
}

/** Any number to identify the migration lock; only Klaxon takes it. */
export const MIGRATION_LOCK = 7_401_100;

/**
 * Runs pending migrations, each in its own transaction. Several replicas starting at once serialise
 * on an advisory lock, so exactly one applies each migration (in Kubernetes a Job runs them once).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const poolMax = (dataSource.options.extra as { max?: number } | undefined)?.max ?? 10;
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  // Migrations (an index build on a big table) and the wait for another replica's lock may take
  // longer than the pool's statement timeout: this connection runs them without one.
  await runner.query('SET statement_timeout = 0');
  // One connection (embedded PGlite, one process): no lock (nobody else migrates, and holding one
  // connection for a lock would starve the migrations themselves).
  const locked = poolMax >= 2;
  try {
    if (locked) await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const executor = new MigrationExecutor(dataSource, runner);
    executor.transaction = 'each';
    return (await executor.executePendingMigrations()).map((m) => m.name);
  } finally {
    if (locked) await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.query('RESET statement_timeout').catch(() => undefined);
    await runner.release();
  }
}
