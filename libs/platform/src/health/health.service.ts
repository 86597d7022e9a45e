import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QueueConnection } from '../queue/queue-connection';

export type CheckState = 'up' | 'down';
export interface Readiness {
  ready: boolean;
  checks: { database: CheckState; queue: CheckState };
  queueBackend: 'redis' | 'postgres';
}

function within<T>(ms: number, work: Promise<T>): Promise<T> {
  return Promise.race([work, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

@Injectable()
export class HealthService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly queue: QueueConnection,
  ) {}

  private async database(): Promise<CheckState> {
    try {
      await within(2000, this.db.query('SELECT 1'));
      return 'up';
    } catch {
      return 'down';
    }
  }

  private async redis(): Promise<CheckState> {
    const redis = this.queue.redis;
    if (!redis) return this.database();
    try {
      return (await within(2000, redis.ping())) === 'PONG' ? 'up' : 'down';
    } catch {
      return 'down';
    }
  }

  async readiness(): Promise<Readiness> {
    const [database, queue] = await Promise.all([this.database(), this.redis()]);
    return { ready: database === 'up' && queue === 'up', checks: { database, queue }, queueBackend: this.queue.backend.kind };
  }
}
