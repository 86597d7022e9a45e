import 'reflect-metadata';
import { runProcess } from '@app/platform';
import { WorkerModule } from '../../worker/src/worker.module';
import { createApiApp } from './bootstrap';

/**
 * The API process. With `--with-worker` (what `npm start` uses) it also runs the job worker,
 * so one process is the whole service.
 */
void runProcess('api', async ({ config, logger, infrastructure }) => {
  const withWorker = process.argv.includes('--with-worker');
  const app = await createApiApp({ config, logger, infrastructure }, withWorker ? [WorkerModule] : []);
  await app.listen({ port: config.PORT, host: config.HOST });
  const shown = config.HOST === '0.0.0.0' ? 'localhost' : config.HOST;
  logger.info(
    { context: 'api' },
    `listening on http://${shown}:${config.PORT} (API /api/v1, OpenAPI /api/docs)${withWorker ? ', with the job worker in this process' : ''}`,
  );
  return { close: () => app.close() };
});
