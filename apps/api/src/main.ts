import 'reflect-metadata';
import { DEMO_PASSWORD } from '@app/org';
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
  const host = config.listenHost;
  await app.listen({ port: config.PORT, host });
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  logger.info(
    { context: 'api', notice: true },
    `listening on http://${shown}:${config.PORT} (API /api/v1, OpenAPI /api/docs)${withWorker ? ', with the job worker in this process' : ''}`,
  );
  const where = (url: string) => {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 'default port'}${u.pathname.length > 1 ? u.pathname : ''}`;
  };
  const notice = { context: 'api', notice: true };
  logger.info(
    notice,
    infrastructure.embeddedDatabase
      ? `data: embedded PostgreSQL and stored files under ${config.dataDir}`
      : `data: PostgreSQL at ${where(infrastructure.databaseUrl)}, stored files under ${config.dataDir}`,
  );
  const { queue } = infrastructure;
  logger.info(
    notice,
    queue.kind === 'redis'
      ? `job queue: Redis${queue.cluster ? ' Cluster' : ''} at ${where(queue.url)} (${queue.source}), key prefix "${config.QUEUE_PREFIX}"`
      : 'job queue: on PostgreSQL (no Redis found; set REDIS_URL or put redis-server on the PATH for a faster queue)',
  );
  if (config.DEMO) {
    logger.info(
      notice,
      `demo logins: zc_leader, zc_office, zc_inspector, zc_team1, county_admin … password ${DEMO_PASSWORD} (DEMO=0 for none)`,
    );
  }
  if (!config.HOST && config.DEMO) {
    logger.warn(
      { context: 'api', notice: true },
      `listening on ${host} only, because the demo logins share a published password; to open the service to other machines set HOST=0.0.0.0 (and DEMO=0 with your own users in production)`,
    );
  }
  return { close: () => app.close() };
});
