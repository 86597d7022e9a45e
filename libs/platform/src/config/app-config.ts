import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { IANAZone } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { IsIanaZone, IsDuration, IsConnectionUrl } from './config-validators';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value);
const toNumber = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value.trim()) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : value;
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? undefined : value);

/** The settings that are durations such as `30s` or `24h`. */
export type DurationSetting =
  | 'JWT_TTL'
  | 'LOGIN_LOCK_WINDOW'
  | 'LOGIN_SLOWDOWN_MAX'
  | 'SHUTDOWN_TIMEOUT'
  | 'JOB_LOCK_DURATION'
  | 'CYCLE_RETRY_DELAY'
  | 'CYCLE_RETRY_MAX_DELAY'
  | 'CYCLE_SCHEDULER_CHECK'
  | 'WEBHOOK_RETRY_DELAY'
  | 'WEBHOOK_TIMEOUT';

/**
 * Every setting the service reads, with its default. Each property is named after its
 * environment variable; `config/settings.yaml` may set the same names, and the environment wins.
 */
export class AppConfig {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  /** Unset: 127.0.0.1 while the demo logins (one shared, published password) exist, else every interface. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(1)
  HOST?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsConnectionUrl(['postgres:', 'postgresql:'])
  DATABASE_URL?: string;

  /**
   * The schema owner's connection, when the service itself connects (DATABASE_URL) as a role
   * with only the grants it needs: migrations run through this one, the service never holds it.
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsConnectionUrl(['postgres:', 'postgresql:'])
  DATABASE_OWNER_URL?: string;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_SIZE = 10;

  @Transform(toBool)
  @IsBoolean()
  MIGRATIONS_RUN = true;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsConnectionUrl(['redis:', 'rediss:'])
  REDIS_URL?: string;

  /**
   * REDIS_URL names one node of a Redis Cluster (the others are found from it); QUEUE_PREFIX
   * must then carry a hash tag such as `{rt}`, so that each queue's keys live in one slot.
   */
  @Transform(toBool)
  @IsBoolean()
  REDIS_CLUSTER = false;

  @Matches(/^[A-Za-z0-9_{}:.-]{1,64}$/, {
    message: 'must be 1-64 characters of letters, digits and _ { } : . -',
  })
  QUEUE_PREFIX = 'rt';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  ADMIN_PASSWORD?: string;

  @Transform(toBool)
  @IsBoolean()
  DEMO = true;

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** `auto`: readable lines on a terminal, JSON otherwise (a container, a file, a log collector). */
  @IsIn(['auto', 'json', 'readable'], { message: 'must be auto, json or readable' })
  LOG_FORMAT: 'auto' | 'json' | 'readable' = 'auto';

  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  @IsString()
  @MinLength(1)
  CONFIG_DIR = './config';

  @IsIanaZone()
  TZ_DEFAULT = 'Asia/Shanghai';

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  /** The key that signed tokens before JWT_SECRET was rotated; honoured until JWT_SECRET_PREVIOUS_UNTIL. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET_PREVIOUS?: string;

  @Transform(emptyToUndefined)
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'must be a date or time such as 2026-12-31 or 2026-12-31T18:00:00+08:00' })
  JWT_SECRET_PREVIOUS_UNTIL?: string;

  /** The key that seals stored secrets (webhook 加签 keys); unset: one generated and kept in the database. */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  SECRETS_KEY?: string;

  @IsDuration()
  JWT_TTL = '12h';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  LOGIN_MAX_FAILURES = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10000)
  LOGIN_MAX_FAILURES_PER_IP = 30;

  @IsDuration()
  LOGIN_LOCK_WINDOW = '15m';

  /** The longest a sign-in from an address with many recent failures is held back. */
  @IsDuration()
  LOGIN_SLOWDOWN_MAX = '10s';

  /**
   * Hosts (comma-separated names or addresses) that robot webhooks may reach although they
   * resolve to internal addresses: an intranet robot. Empty: only public addresses.
   */
  @Matches(/^[A-Za-z0-9.:_\-[\], ]*$/, { message: 'must be host names or addresses separated by commas' })
  WEBHOOK_ALLOWED_HOSTS = '';

  /** Attempts at sending one robot message before it is marked failed in the delivery log. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  WEBHOOK_ATTEMPTS = 5;

  /** The wait before the first retry of a robot message; each further retry waits twice as long. */
  @IsDuration()
  WEBHOOK_RETRY_DELAY = '5s';

  /** How long a robot has to answer; a message without an answer in time may have arrived, so it is not sent again. */
  @IsDuration()
  WEBHOOK_TIMEOUT = '10s';

  /**
   * The bearer token Prometheus sends to read `/metrics`. Unset: `/metrics` answers only
   * requests from this machine (loopback).
   */
  @Transform(emptyToUndefined)
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** The worker process (`npm run start:worker`) serves its `/metrics` on this port; 0: none. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  WORKER_METRICS_PORT = 0;

  /** Requests a minute per user to read (GET, HEAD). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_READS = 600;

  /** Requests a minute per user that change something (POST, PUT, PATCH, DELETE). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_WRITES = 120;

  /** Uploads and imports a minute per user (evidence, findings and other spreadsheets). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_UPLOADS = 20;

  /** Requests a minute from one client address, whoever signs in (an office behind one NAT address shares it). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000_000)
  RATE_LIMIT_PER_ADDRESS = 3000;

  @Transform(toBool)
  @IsBoolean()
  TRUST_PROXY = false;

  @IsDuration()
  SHUTDOWN_TIMEOUT = '20s';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1024)
  EVIDENCE_MAX_MB = 20;

  /** Photos within this many differing bits of dHash count as the same picture (0–7: the band index holds up to 7). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(7)
  EVIDENCE_NEAR_DUPLICATE_DISTANCE = 6;

  /** A photo whose GPS lies farther than this many kilometres from its ticket's unit is flagged `far_from_unit`. */
  @Transform(toNumber)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0.1)
  @Max(1000)
  EVIDENCE_FAR_FROM_UNIT_KM = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  IMPORT_MAX_MB = 20;

  /** An uploaded workbook that unpacks to more than this is refused unread (a zip bomb). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(4096)
  IMPORT_MAX_UNPACKED_MB = 200;

  /** An imported finding marked 立行立改 (at once) is due this many days after the import, in the owner unit's time zone. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(90)
  IMMEDIATE_DAYS = 0;

  /** A new ticket repeating a ticket of its unit closed within this many months is flagged 屡查屡犯 (repeat). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(120)
  REPEAT_LOOKBACK_MONTHS = 12;

  /** `on`: a new ticket flagged 屡查屡犯 (repeat) opens an accountability record (追责问责) of ground `repeat`. */
  @Transform(({ value }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsIn(['on', 'off'], { message: 'must be on or off' })
  REPEAT_ACCOUNTABILITY: 'on' | 'off' = 'off';

  /** A ticket's light turns yellow this many days before its deadline. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(60)
  TICKET_WARNING_DAYS = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  WORKER_CONCURRENCY = 4;

  /** How long a worker holds a job before another may take it over (a killed worker's job). */
  @IsDuration()
  JOB_LOCK_DURATION = '30s';

  @Matches(/^(\S+\s+){4}\S+$/, { message: 'must be a cron pattern of five fields, e.g. */5 * * * *' })
  CYCLE_TICK_CRON = '*/5 * * * *';

  /**
   * A step run whose queue retries ran out is tried again by a later tick this long after its
   * last failure, the wait doubling with each further round, up to CYCLE_RETRY_MAX_DELAY.
   */
  @IsDuration()
  CYCLE_RETRY_DELAY = '15m';

  @IsDuration()
  CYCLE_RETRY_MAX_DELAY = '24h';

  /**
   * Days after a township's grace period (its calendar's overdueGraceDays) at which an overdue
   * ticket goes one level further up the tree, to the county's leaders.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(365)
  ESCALATION_SECOND_GRACE_DAYS = 15;

  /** How often a worker checks that the job schedulers are still in Redis, and puts them back. */
  @IsDuration()
  CYCLE_SCHEDULER_CHECK = '1m';

  /** The Chromium that prints documents to PDF; without it the PDF rendition answers 503. */
  @IsString()
  @MinLength(1)
  CHROMIUM_PATH = '/usr/bin/chromium';

  /**
   * Fault tests only: each cycle step waits this long inside its transaction, after writing its
   * outputs and before they commit, so that a test can kill a worker in the middle of a step.
   */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  CYCLE_STEP_PAUSE_MS = 0;

  /** Milliseconds in a duration setting such as `JWT_TTL`. */
  durationMs(key: DurationSetting): number {
    return parseDurationMs(this[key])!;
  }

  get allowedWebhookHosts(): string[] {
    return this.WEBHOOK_ALLOWED_HOSTS.split(',')
      .map((h) =>
        h
          .trim()
          .replace(/^\[|\]$/g, '')
          .toLowerCase(),
      )
      .filter(Boolean);
  }

  /** Whether a repeat problem opens an accountability record (REPEAT_ACCOUNTABILITY). */
  get repeatAccountability(): boolean {
    return this.REPEAT_ACCOUNTABILITY === 'on';
  }

  /** The address the API listens on. */
  get listenHost(): string {
    return this.HOST ?? (this.DEMO ? '127.0.0.1' : '0.0.0.0');
  }

  /** When tokens signed with JWT_SECRET_PREVIOUS stop being accepted. */
  get previousSecretUntil(): Date | undefined {
    return this.JWT_SECRET_PREVIOUS_UNTIL ? new Date(this.JWT_SECRET_PREVIOUS_UNTIL) : undefined;
  }

  get dataDir(): string {
    return resolve(this.DATA_DIR);
  }

  get configDir(): string {
    return resolve(this.CONFIG_DIR);
  }
}

const DURATION = /^(\d+)\s*(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m` → 900000; undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]];
  return ms > 0 ? ms : undefined;
}

export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** A configuration that cannot start the service; `problems` has one line per bad setting. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const KNOWN_KEYS = new Set(
  Object.keys(new AppConfig()).concat([
    'HOST',
    'SECRETS_KEY',
    'METRICS_TOKEN',
    'DATABASE_URL',
    'DATABASE_OWNER_URL',
    'REDIS_URL',
    'ADMIN_PASSWORD',
    'JWT_SECRET',
    'JWT_SECRET_PREVIOUS',
    'JWT_SECRET_PREVIOUS_UNTIL',
  ]),
);

/** Rules that tie settings together, one line per broken rule. */
function crossCheck(config: AppConfig): string[] {
  const problems: string[] = [];
  if (config.JWT_SECRET_PREVIOUS && !config.JWT_SECRET_PREVIOUS_UNTIL) {
    problems.push(
      'JWT_SECRET_PREVIOUS_UNTIL: must be set with JWT_SECRET_PREVIOUS (the date after which the previous key stops verifying)',
    );
  }
  if (config.JWT_SECRET_PREVIOUS_UNTIL && !config.JWT_SECRET_PREVIOUS) {
    problems.push('JWT_SECRET_PREVIOUS: must be set when JWT_SECRET_PREVIOUS_UNTIL is (the key that signed the older tokens)');
  }
  if (config.JWT_SECRET_PREVIOUS && !config.JWT_SECRET) {
    problems.push('JWT_SECRET: must be set when JWT_SECRET_PREVIOUS is (the new key that signs from now on)');
  }
  if (config.DATABASE_OWNER_URL && !config.DATABASE_URL) {
    problems.push(
      'DATABASE_OWNER_URL: needs DATABASE_URL too (the service’s own, less privileged connection); the embedded database has one role',
    );
  }
  if (config.JWT_SECRET_PREVIOUS && config.JWT_SECRET_PREVIOUS === config.JWT_SECRET) {
    problems.push('JWT_SECRET_PREVIOUS: must differ from JWT_SECRET');
  }
  if (config.REDIS_CLUSTER) {
    if (!config.REDIS_URL) problems.push('REDIS_URL: must be set when REDIS_CLUSTER is (a node of the cluster, redis://host:port)');
    else if (!/^\/?0?$/.test(new URL(config.REDIS_URL).pathname)) {
      problems.push('REDIS_URL: must not name a database on a Redis Cluster (only database 0 exists there)');
    }
    if (!/^\{[^{}]+\}/.test(config.QUEUE_PREFIX)) {
      problems.push("QUEUE_PREFIX: must start with a hash tag such as {rt} on a Redis Cluster (each queue's keys in one slot)");
    }
  }
  return problems;
}

function readSettingsFile(configDir: string): Record<string, unknown> {
  const file = join(configDir, 'settings.yaml');
  if (!existsSync(file)) return {};
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError([`${file}: not valid YAML (${(e as Error).message.split('\n')[0]})`]);
  }
  if (parsed == null) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError([`${file}: must be a mapping of setting names to values`]);
  }
  const out: Record<string, unknown> = {};
  const unknown: string[] = [];
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    const key = k.toUpperCase();
    if (!KNOWN_KEYS.has(key)) unknown.push(`${file}: ${k}: is not a setting this service knows`);
    else out[key] = typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
  }
  if (unknown.length) throw new ConfigError(unknown);
  return out;
}

function describe(value: unknown): string {
  if (value === undefined) return 'unset';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return `"${text.length > 60 ? `${text.slice(0, 57)}...` : text}"`;
}

function flatten(errors: ValidationError[], raw: Record<string, unknown>): string[] {
  return errors.map((e) => {
    const reasons = Object.values(e.constraints ?? {}).join('; ');
    return `${e.property}: ${reasons} (got ${describe(raw[e.property])})`;
  });
}

/**
 * Builds the configuration from `config/settings.yaml` (optional) and the environment, and
 * validates it. Throws a ConfigError naming every bad setting. Only this function reads
 * `process.env`.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const configDir = env.CONFIG_DIR?.trim() || './config';
  const raw: Record<string, unknown> = { ...readSettingsFile(resolve(configDir)) };
  for (const key of KNOWN_KEYS) {
    if (env[key] !== undefined) raw[key] = env[key];
  }
  const config = plainToInstance(AppConfig, raw, { exposeDefaultValues: true });
  const errors = validateSync(config, { forbidUnknownValues: false });
  if (errors.length) throw new ConfigError(flatten(errors, raw));
  const crossProblems = crossCheck(config);
  if (crossProblems.length) throw new ConfigError(crossProblems);
  return config;
}
