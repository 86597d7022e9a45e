import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { ConfigError, loadConfig, startInfrastructure, SystemClock } from '@app/platform';
import { hashPassword, MIN_PASSWORD_LENGTH } from '@app/org';

/**
 * Gives the `admin` user a new password (ADMIN_PASSWORD, or a random one printed once), enables
 * the account and ends its sessions. On the embedded database, stop the service first: only one
 * process can open it.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const password = config.ADMIN_PASSWORD ?? randomBytes(12).toString('base64url');
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`ADMIN_PASSWORD must be at least ${MIN_PASSWORD_LENGTH} characters`);
  const infrastructure = await startInfrastructure(config, { noRedisChild: true, noDefaultRedis: true });
  const client = new Client({ connectionString: infrastructure.databaseUrl });
  try {
    await client.connect();
    const result = await client.query(
      `UPDATE app_user SET password_hash = $1, active = true, token_version = token_version + 1, updated_at = $2 WHERE username = 'admin'`,
      [await hashPassword(password), new SystemClock().now()],
    );
    if (result.rowCount !== 1) throw new Error('There is no admin user in this database (start the service once to create it)');
    console.log(
      config.ADMIN_PASSWORD
        ? 'The admin password is now the one in ADMIN_PASSWORD; its earlier sessions have ended.'
        : `The admin password is now: ${password}\n(shown once; its earlier sessions have ended)`,
    );
  } finally {
    await client.end().catch(() => undefined);
    await infrastructure.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof ConfigError ? e.message : `Could not reset the admin password: ${(e as Error).message}`);
  process.exit(1);
});
