import { DataSource } from 'typeorm';
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
const MIGRATION_LOCK = 7_401_100;

/**
 * Runs pending migrations, each in its own transaction. Several replicas starting at once serialise
 * on an advisory lock, so exactly one applies each migration (in Kubernetes a Job runs them once).
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const poolMax = (dataSource.options.extra as { max?: number } | undefined)?.max ?? 10;
  if (poolMax < 2) {
    // One connection (embedded PGlite, one process): holding a lock would starve the migrations themselves.
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  }
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    return (await dataSource.runMigrations({ transaction: 'each' })).map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
