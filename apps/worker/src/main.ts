import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger, runProcess } from '@app/platform';
import { WorkerRootModule } from './worker-root.module';

/** The worker process: jobs and schedulers, no HTTP. */
void runProcess('worker', async ({ config, logger, infrastructure }) => {
  const app = await NestFactory.createApplicationContext(WorkerRootModule.forRoot({ config, logger, infrastructure }), {
    logger: new PinoNestLogger(logger),
    abortOnError: false,
  });
  await app.init();
  logger.info({ context: 'worker' }, 'worker started');
  return { close: () => app.close() };
});
