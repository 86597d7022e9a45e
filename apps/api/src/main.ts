import 'reflect-metadata';
import { runProcess } from '@app/platform';
import { createApiApp } from './bootstrap';

/**
 * The API process. With `--with-worker` (what `npm start` uses) it also runs the job worker,
 * so one process is the whole service.
 */
void runProcess('api', async ({ config, logger, infrastructure }) => {
  const withWorker = process.argv.includes('--with-worker');
  const app = await createApiApp({ config, logger, infrastructure }, { api: true, worker: withWorker });
  const host = config.listenHost;
  await app.listen({ port: config.PORT, host });
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  logger.info(
    { context: 'api' },
    `listening on http://${shown}:${config.PORT} (API /api/v1, OpenAPI /api/docs)${withWorker ? ', with the job worker in this process' : ''}`,
  );
  if (!config.HOST && config.DEMO) {
    logger.warn(
      { context: 'api' },
      `listening on ${host} only, because the demo logins share a published password; to open the service to other machines set HOST=0.0.0.0 (and DEMO=0 with your own users in production)`,
    );
  }
  return { close: () => app.close() };
});
