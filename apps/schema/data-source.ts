/**
 * The data source for TypeORM's CLI (`npm run migration:run`, `migration:revert`, `migration:show`),
 * against DATABASE_OWNER_URL when it is set (the schema owner), else DATABASE_URL. The service
 * itself migrates at start unless MIGRATIONS_RUN=0.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions, loadConfig } from '@app/platform';
import { MIGRATIONS } from './migrations';

const config = loadConfig();
const url = config.DATABASE_OWNER_URL ?? config.DATABASE_URL;
if (!url) {
  throw new Error('DATABASE_URL is not set: the migration commands run against a PostgreSQL server');
}
export default new DataSource(dataSourceOptions({ url, poolSize: 2, applicationName: 'migrations', migrations: MIGRATIONS }));
