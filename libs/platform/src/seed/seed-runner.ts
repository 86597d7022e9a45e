import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { Clock } from '../clock/clock';

export interface SeedContext {
  manager: EntityManager;
  /** True on the first start of an empty database (no demo data was ever written). */
  firstStart: boolean;
  /** DEMO is on: write demo data on the first start. */
  demo: boolean;
  /** Lines printed together once seeding is done (logins, generated passwords). */
  notes: string[];
}

/** Something that fills an empty database: the admin account, then each lib's demo data. */
export interface Seeder {
  readonly name: string;
  /** Lower runs first: org (10) before tickets (20) before cycles (30). */
  readonly order: number;
  seed(ctx: SeedContext): Promise<void>;
}

const SEED_LOCK_KEY = 727_318_002;

/**
 * Runs every registered seeder once per start, in one transaction under an advisory lock, so
 * that two processes starting together on an empty database seed it once.
 */
@Injectable()
export class SeedRunner implements OnApplicationBootstrap {
  private readonly logger = new Logger('Seed');
  private readonly seeders: Seeder[] = [];

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  register(seeder: Seeder): void {
    if (!this.seeders.some((s) => s.name === seeder.name)) this.seeders.push(seeder);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.run();
  }

  async run(): Promise<void> {
    const notes: string[] = [];
    await this.db.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
      const [marker] = await manager.query(`SELECT value FROM platform_setting WHERE key = 'seeded_at'`);
      const ctx: SeedContext = { manager, firstStart: !marker, demo: this.config.DEMO, notes };
      for (const s of [...this.seeders].sort((a, b) => a.order - b.order)) await s.seed(ctx);
      if (!marker) {
        await manager.query(`INSERT INTO platform_setting (key, value) VALUES ('seeded_at', $1)`, [this.clock.now().toISOString()]);
      }
    });
    for (const line of notes) this.logger.log(line);
  }
}
