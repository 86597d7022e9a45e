import { LoggerService } from '@nestjs/common';
import pino, { Logger as PinoLogger } from 'pino';
import type { LogLevel } from '../config/app-config';
import { readableDestination } from './readable-log';

/**
 * Structured JSON logs on stdout; one logger for Nest, Fastify (with request ids) and our code.
 * With a readable `format` (a terminal), the same entries are written as plain lines.
 */
export function createRootLogger(level: LogLevel, destination?: pino.DestinationStream, format: 'json' | 'readable' = 'json'): PinoLogger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'accessToken'],
        censor: '[redacted]',
      },
    },
    destination ?? (format === 'readable' ? readableDestination() : undefined),
  );
}

/** Whether logs go out as readable lines: LOG_FORMAT, or on `auto` whether stdout is a terminal. */
export function logFormatOf(setting: 'auto' | 'json' | 'readable'): 'json' | 'readable' {
  if (setting !== 'auto') return setting;
  return process.stdout.isTTY ? 'readable' : 'json';
}

/** Adapts pino to Nest's LoggerService so that framework messages are JSON lines too. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly root: PinoLogger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal', message: unknown, params: unknown[]): void {
    const context = typeof params[params.length - 1] === 'string' ? (params.pop() as string) : undefined;
    const fields: Record<string, unknown> = context ? { context } : {};
    if (level === 'error' && typeof params[0] === 'string' && params[0].includes('\n')) fields.stack = params.shift();
    if (message instanceof Error) {
      this.root[level]({ ...fields, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.root[level]({ ...fields, ...message });
    } else {
      this.root[level](fields, String(message));
    }
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
}
