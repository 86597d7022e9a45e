import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { JwtModule } from '@nestjs/jwt';
import { TypeOrmModule } from '@nestjs/typeorm';
import { runMigrations as runQueueMigrations, setDefaultBackendFactory, createPostgresBackend } from 'bullmq';
import { Client } from 'pg';
import type { Logger as PinoLogger } from 'pino';
import { DataSource, DataSourceOptions } from 'typeorm';
import { AppConfig } from './config/app-config';
import { Clock, SystemClock } from './clock/clock';
import { dataSourceOptions, runMigrationsLocked } from './database/data-source-options';
import { HealthService } from './health/health.service';
import { INFRASTRUCTURE, type Infrastructure } from './infrastructure';
import { QueueConnection } from './queue/queue-connection';
import { QUEUE_SCHEMA } from './queue/queue-schema';
import { TokenService } from './auth/token.service';
import { RateLimits } from './http/rate-limits';
import { SecretBox } from './auth/secret-box';
import { OutboundAddressPolicy } from './http/outbound-address';
import { Metrics } from './observability/metrics';
import { SeedRunner } from './seed/seed-runner';
import { IdempotencyStore } from './idempotency/idempotency.store';
import { PreparedQueries } from './database/prepared-queries';

export const ROOT_LOGGER = Symbol('ROOT_LOGGER');

/** What a process knows before its modules are built; the app root adds the migration list. */
export interface ProcessPlatformOptions {
  config: AppConfig;
  infrastructure: Infrastructure;
  logger: PinoLogger;
  clock?: Clock;
}

export interface PlatformOptions extends ProcessPlatformOptions {
  /** Every migration, oldest first, as the apps compose them from the libs. */
  migrations: NonNullable<DataSourceOptions['migrations']>;
}

type LockedOptions = DataSourceOptions & { runMigrationsAtStart: boolean };

/** Migrates through the schema owner's connection, which is closed again before the service connects. */
async function migrateAsOwner(url: string, migrations: PlatformOptions['migrations']): Promise<void> {
  const owner = await new DataSource(dataSourceOptions({ url, poolSize: 2, applicationName: 'migrations', migrations })).initialize();
  try {
    await runMigrationsLocked(owner);
  } finally {
    await owner.destroy();
  }
}

async function prepareQueueBackend(infra: Infrastructure, ownerUrl: string | undefined): Promise<void> {
  if (infra.queue.kind !== 'postgres') return;
  const client = new Client({ connectionString: ownerUrl ?? infra.queue.url });
  await client.connect();
  try {
    await runQueueMigrations(client, QUEUE_SCHEMA);
  } finally {
    await client.end();
  }
  setDefaultBackendFactory(createPostgresBackend);
}

/**
 * Configuration, clock, database, queue connection and tokens for every process. The
 * infrastructure (which database, which Redis) is resolved before the application is built.
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(options: PlatformOptions): DynamicModule {
    const { config, infrastructure } = options;
    const queueConnection = QueueConnection.create(infrastructure.queue, config);
    return {
      module: PlatformModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions({ url: infrastructure.databaseUrl, poolSize: config.DB_POOL_SIZE, migrations: options.migrations }),
            autoLoadEntities: true,
            retryAttempts: infrastructure.embeddedDatabase ? 0 : 10,
            retryDelay: 3000,
            runMigrationsAtStart: config.MIGRATIONS_RUN,
          }),
          dataSourceFactory: async (opts) => {
            const migrate = (opts as LockedOptions).runMigrationsAtStart;
            if (migrate && config.DATABASE_OWNER_URL) await migrateAsOwner(config.DATABASE_OWNER_URL, options.migrations);
            const ds = await new DataSource(opts!).initialize();
            if (migrate && !config.DATABASE_OWNER_URL) await runMigrationsLocked(ds);
            return ds;
          },
        }),
        BullModule.forRootAsync({
          useFactory: async () => {
            await prepareQueueBackend(infrastructure, config.DATABASE_OWNER_URL);
            return queueConnection.bullOptions();
          },
        }),
        JwtModule.register({}),
      ],
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: INFRASTRUCTURE, useValue: infrastructure },
        { provide: ROOT_LOGGER, useValue: options.logger },
        { provide: QueueConnection, useValue: queueConnection },
        TokenService,
        RateLimits,
        SecretBox,
        { provide: OutboundAddressPolicy, useFactory: () => new OutboundAddressPolicy(config) },
        HealthService,
        SeedRunner,
        IdempotencyStore,
        PreparedQueries,
        Metrics,
      ],
      exports: [
        AppConfig,
        Clock,
        INFRASTRUCTURE,
        ROOT_LOGGER,
        QueueConnection,
        TokenService,
        RateLimits,
        SecretBox,
        OutboundAddressPolicy,
        HealthService,
        SeedRunner,
        IdempotencyStore,
        PreparedQueries,
        Metrics,
        BullModule,
      ],
    };
  }
}
