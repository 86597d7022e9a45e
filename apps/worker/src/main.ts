import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Metrics, PinoNestLogger, runProcess, serveMetrics } from '@app/platform';
import { WorkerRootModule } from './worker-root.module';

/** The worker process: jobs and schedulers, no HTTP. */
void runProcess('worker', async ({ config, logger, infrastructure }) => {
  const app = await NestFactory.createApplicationContext(WorkerRootModule.forRoot({ config, logger, infrastructure }), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  await app.init();
  logger.info({ context: 'worker' }, 'worker started');
  const port = config.WORKER_METRICS_PORT;
  const metrics = port ? await serveMetrics(app.get(Metrics), config, port, config.listenHost) : undefined;
  if (metrics) logger.info({ context: 'worker' }, `metrics on http://${config.listenHost}:${port}/metrics`);
  return {
    close: async () => {
      await new Promise<void>((resolve) => (metrics ? metrics.close(() => resolve()) : resolve()));
      await app.close();
    },
  };
});
