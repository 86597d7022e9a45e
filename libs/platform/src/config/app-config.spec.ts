import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, parseDurationMs } from './app-config';

const noFile = { CONFIG_DIR: '/nonexistent-config-dir' };

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...noFile, ...env });
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives the embedded defaults with no configuration at all', () => {
    const c = loadConfig(noFile);
    expect(c).toMatchObject({
      PORT: 3000,
      QUEUE_PREFIX: 'rt',
      DEMO: true,
      LOG_LEVEL: 'info',
      DATA_DIR: './data',
      TZ_DEFAULT: 'Asia/Shanghai',
      MIGRATIONS_RUN: true,
      REPEAT_LOOKBACK_MONTHS: 12,
      REPEAT_ACCOUNTABILITY: 'off',
    });
    expect(c.repeatAccountability).toBe(false);
    expect(c.DATABASE_URL).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.durationMs('JWT_TTL')).toBe(12 * 3600 * 1000);
  });

  it.each([
    ['PORT', 'abc', /^PORT: .*integer.*\(got "abc"\)$/],
    ['PORT', '70000', /^PORT: .*65535/],
    ['DATABASE_URL', 'mysql://x', /^DATABASE_URL: must be a URL starting with postgres:\/\//],
    ['DATABASE_OWNER_URL', 'owner@db', /^DATABASE_OWNER_URL: must be a URL starting with postgres:\/\//],
    ['DATABASE_OWNER_URL', 'postgres://owner@db/rt', /^DATABASE_OWNER_URL: needs DATABASE_URL too/],
    ['REDIS_URL', 'localhost:6379', /^REDIS_URL: must be a URL starting with redis:\/\//],
    ['QUEUE_PREFIX', 'has space', /^QUEUE_PREFIX: /],
    ['ADMIN_PASSWORD', 'short', /^ADMIN_PASSWORD: must be at least 8 characters/],
    ['DEMO', 'maybe', /^DEMO: .*boolean/],
    ['LOG_LEVEL', 'loud', /^LOG_LEVEL: must be one of fatal, error/],
    ['TZ_DEFAULT', 'Mars/Olympus', /^TZ_DEFAULT: must be an IANA time zone/],
    ['JWT_TTL', '12 hours', /^JWT_TTL: must be a duration/],
    ['JWT_SECRET', 'too-short', /^JWT_SECRET: must be at least 32 characters/],
    ['CYCLE_STEP_PAUSE_MS', '-1', /^CYCLE_STEP_PAUSE_MS: .*not be less than 0/],
    ['CYCLE_RETRY_DELAY', '0m', /^CYCLE_RETRY_DELAY: must be a duration/],
    ['CYCLE_RETRY_MAX_DELAY', 'a day', /^CYCLE_RETRY_MAX_DELAY: must be a duration/],
    ['CYCLE_SCHEDULER_CHECK', '5', /^CYCLE_SCHEDULER_CHECK: must be a duration/],
    ['ESCALATION_SECOND_GRACE_DAYS', '0', /^ESCALATION_SECOND_GRACE_DAYS: .*not be less than 1/],
    ['ESCALATION_SECOND_GRACE_DAYS', 'soon', /^ESCALATION_SECOND_GRACE_DAYS: .*integer/],
    ['REPEAT_LOOKBACK_MONTHS', '0', /^REPEAT_LOOKBACK_MONTHS: .*not be less than 1/],
    ['REPEAT_LOOKBACK_MONTHS', '121', /^REPEAT_LOOKBACK_MONTHS: .*not be greater than 120/],
    ['REPEAT_LOOKBACK_MONTHS', 'a year', /^REPEAT_LOOKBACK_MONTHS: .*integer/],
    ['REPEAT_ACCOUNTABILITY', 'yes', /^REPEAT_ACCOUNTABILITY: must be on or off \(got "yes"\)$/],
  ])('names %s when it is %j', (key, value, pattern) => {
    const lines = problems({ [key]: value });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(pattern);
  });

  it('turns repeat accountability on with on, in any case', () => {
    expect(loadConfig({ ...noFile, REPEAT_ACCOUNTABILITY: ' ON ' })).toMatchObject({
      REPEAT_ACCOUNTABILITY: 'on',
      repeatAccountability: true,
    });
    expect(loadConfig({ ...noFile, REPEAT_ACCOUNTABILITY: 'off' }).repeatAccountability).toBe(false);
  });

  it('reports every bad setting at once, one line each', () => {
    const lines = problems({ PORT: 'x', LOG_LEVEL: 'y', DEMO: 'z' });
    expect(lines.map((l) => l.split(':')[0]).sort()).toEqual(['DEMO', 'LOG_LEVEL', 'PORT']);
  });

  it('asks a Redis Cluster for a node to start from, database 0 and a hash-tagged prefix', () => {
    expect(problems({ REDIS_CLUSTER: '1', QUEUE_PREFIX: '{rt}' })).toEqual([
      'REDIS_URL: must be set when REDIS_CLUSTER is (a node of the cluster, redis://host:port)',
    ]);
    expect(problems({ REDIS_CLUSTER: '1', REDIS_URL: 'redis://127.0.0.1:7000/2', QUEUE_PREFIX: 'rt' })).toEqual([
      'REDIS_URL: must not name a database on a Redis Cluster (only database 0 exists there)',
      "QUEUE_PREFIX: must start with a hash tag such as {rt} on a Redis Cluster (each queue's keys in one slot)",
    ]);
    expect(problems({ REDIS_CLUSTER: '1', REDIS_URL: 'redis://127.0.0.1:7000', QUEUE_PREFIX: '{}x' })).toHaveLength(1);
    expect(loadConfig({ ...noFile, REDIS_CLUSTER: 'yes', REDIS_URL: 'redis://127.0.0.1:7000/0', QUEUE_PREFIX: '{rt}' })).toMatchObject({
      REDIS_CLUSTER: true,
      QUEUE_PREFIX: '{rt}',
    });
    expect(loadConfig(noFile).REDIS_CLUSTER).toBe(false);
  });

  it('accepts the usual spellings of booleans and treats empty values as unset', () => {
    expect(loadConfig({ ...noFile, DEMO: '0', MIGRATIONS_RUN: 'false' })).toMatchObject({ DEMO: false, MIGRATIONS_RUN: false });
    expect(loadConfig({ ...noFile, DEMO: 'yes' }).DEMO).toBe(true);
    expect(loadConfig({ ...noFile, DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
  });

  describe('config/settings.yaml', () => {
    const dir = () => {
      const d = mkdtempSync(join(tmpdir(), 'rt-config-'));
      mkdirSync(d, { recursive: true });
      return d;
    };

    it('is read, and the environment wins over it', () => {
      const d = dir();
      writeFileSync(join(d, 'settings.yaml'), 'PORT: 4000\nlog_level: debug\nQUEUE_PREFIX: from-file\n');
      const c = loadConfig({ CONFIG_DIR: d, QUEUE_PREFIX: 'from-env' });
      expect(c.PORT).toBe(4000);
      expect(c.LOG_LEVEL).toBe('debug');
      expect(c.QUEUE_PREFIX).toBe('from-env');
    });

    it('rejects unknown names and bad YAML with the file named', () => {
      const d = dir();
      writeFileSync(join(d, 'settings.yaml'), 'PROT: 4000\n');
      expect(() => loadConfig({ CONFIG_DIR: d })).toThrow(/settings\.yaml: PROT: is not a setting/);
      writeFileSync(join(d, 'settings.yaml'), 'PORT: [1,\n');
      expect(() => loadConfig({ CONFIG_DIR: d })).toThrow(/settings\.yaml: not valid YAML/);
    });
  });
});

describe('parseDurationMs', () => {
  it.each([
    ['500ms', 500],
    ['30s', 30_000],
    ['15m', 900_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
  ])('%s is %d ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));

  it.each(['', '0s', '5', '1w', '-1s', 'soon'])('%j is not a duration', (text) => expect(parseDurationMs(text)).toBeUndefined());
});
