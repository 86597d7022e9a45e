import { Logger } from '@nestjs/common';
import type { Logger as PinoLogger } from 'pino';
import { AppConfig, ConfigError, loadConfig } from '../config/app-config';
import { startInfrastructure, Infrastructure } from '../infrastructure';
import { createRootLogger, logFormatOf, PinoNestLogger } from '../logging/logger';

export interface ProcessContext {
  config: AppConfig;
  logger: PinoLogger;
  infrastructure: Infrastructure;
}

export interface Running {
  close(): Promise<void>;
}

/**
 * Starts a service process: configuration (a bad value stops the start with one line per
 * problem), logging, the database and queue backend, then `start`. SIGTERM or SIGINT closes
 * it gracefully: in-flight requests and jobs finish, connections close, child services stop.
 */
export async function runProcess(name: string, start: (ctx: ProcessContext) => Promise<Running>): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      for (const line of e.problems) process.stderr.write(`config: ${line}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createRootLogger(config.LOG_LEVEL, undefined, logFormatOf(config.LOG_FORMAT));
  const log = logger.child({ context: name });
  Logger.overrideLogger(new PinoNestLogger(logger));
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));

  let infrastructure: Infrastructure | undefined;
  let running: Running | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const timeoutMs = config.durationMs('SHUTDOWN_TIMEOUT');
    log.info(`${signal}: shutting down (finishing in-flight work, at most ${timeoutMs / 1000} s)`);
    const timer = setTimeout(() => {
      log.error('shutdown took too long; exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    try {
      await running?.close();
      await infrastructure?.stop();
      log.info('stopped');
      logger.flush();
      process.exit(0);
    } catch (e) {
      log.error({ err: e }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  try {
    infrastructure = await startInfrastructure(config);
    running = await start({ config, logger, infrastructure });
  } catch (e) {
    log.fatal({ err: e }, `${name} could not start: ${(e as Error).message}`);
    await running?.close().catch(() => undefined);
    await infrastructure?.stop().catch(() => undefined);
    logger.flush();
    process.exit(1);
  }
}
