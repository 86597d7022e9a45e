import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { Metrics } from '@app/platform';
import { DataSource } from 'typeorm';

/** `cycle_step_runs{step,state}`: the townships' step runs by step and state, read at each scrape. */
@Injectable()
export class StepRunMetrics implements OnModuleInit {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly metrics: Metrics,
  ) {}

  onModuleInit(): void {
    this.metrics.gauge(
      'cycle_step_runs',
      'Cycle step runs by step and state (pending, running, done, failed)',
      ['step', 'state'],
      async () => {
        const rows = await this.db.query<Array<{ step: string; state: string; n: string }>>(
          `SELECT substr(key, 6) AS step, state, count(*) AS n FROM cycle_run WHERE key LIKE 'step:%' GROUP BY 1, 2`,
        );
        return rows.map((r) => ({ labels: { step: r.step, state: r.state }, value: Number(r.n) }));
      },
    );
  }
}
