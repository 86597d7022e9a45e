import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions } from 'typeorm';

// Serialises migrations across processes that start at the same time.
const MIGRATION_LOCK_KEY = 727_318_001;

export interface DataSourceSettings {
  url: string;
  poolSize: number;
  entities?: DataSourceOptions['entities'];
  applicationName?: string;
  /** The composed migration list, oldest first (the apps compose it from every lib). */
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

export function dataSourceOptions(s: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: s.url,
    entities: s.entities ?? [],
    migrations: s.migrations,
    migrationsTableName: 'schema_migration',
    migrationsRun: false,
    synchronize: false,
    applicationName: s.applicationName ?? 'rectification-tracker',
    extra: {
      max: s.poolSize,
      connectionTimeoutMillis: 5_000,
      idleTimeoutMillis: 30_000,
      keepAlive: true,
    },
  };
}

/** Runs pending migrations under an advisory lock, so that concurrent starts migrate once. */
export async function runMigrationsLocked(ds: DataSource): Promise<string[]> {
  const logger = new Logger('Migrations');
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    for (const m of applied) logger.log(`applied ${m.name}`);
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}
