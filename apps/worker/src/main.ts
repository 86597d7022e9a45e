import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { PinoNestLogger, runProcess } from '@app/platform';
import { AppModule } from '../../api/src/app.module';

/** The worker process: jobs and schedulers, no HTTP. */
void runProcess('worker', async ({ config, logger, infrastructure }) => {
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ config, logger, infrastructure }, { api: false, worker: true }),
    { logger: new PinoNestLogger(logger), abortOnError: false },
  );
  await app.init();
  logger.info({ context: 'worker' }, 'worker started');
  return { close: () => app.close() };
});
