import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/**
 * Which lib owns each table: only that lib's files write SQL that names it. The notification
 * tables were created by cycles migrations before notifications became a lib of their own, and
 * the settings table by an org migration; their owners are the libs that use them now.
 */
const OWNERS: Record<string, string> = {
  platform_setting: 'platform',
  idempotency_key: 'platform',
  org_unit: 'org',
  principal_epoch: 'org',
  app_user: 'org',
  membership: 'org',
  inspection_assignment: 'org',
  notification: 'notifications',
  notification_read: 'notifications',
  unit_webhook: 'notifications',
  webhook_delivery: 'notifications',
  inspection: 'tickets',
  ticket: 'tickets',
  ticket_event: 'tickets',
  ticket_evidence: 'tickets',
  ticket_sequence: 'tickets',
  ticket_flag: 'tickets',
  ticket_open_month: 'tickets',
  evidence_file: 'tickets',
  findings_column_mapping: 'tickets',
  ranking: 'assessment',
  campaign: 'campaigns',
  campaign_assignment: 'campaigns',
  campaign_draw: 'campaigns',
  campaign_household: 'campaigns',
  campaign_pick: 'campaigns',
  campaign_verdict: 'campaigns',
  household: 'campaigns',
  household_secret: 'campaigns',
  cycle_calendar: 'cycles',
  cycle_run: 'cycles',
  cycle_output: 'cycles',
  task: 'cycles',
  task_list: 'cycles',
  task_progress: 'cycles',
  self_check: 'cycles',
  accountability_record: 'cycles',
  document: 'documents',
  document_sequence: 'documents',
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const isTest = (path: string) => /\.(spec|e2e-spec)\.ts$/.test(path);
const migrationFiles = () => files(join(ROOT, 'libs')).filter((f) => f.includes('/src/migrations/') && !isTest(f));

/** The tables a piece of SQL reads or writes: what follows FROM, JOIN, INTO, UPDATE or TABLE. */
function tablesIn(source: string): Set<string> {
  const found = new Set<string>();
  for (const m of source.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+(?:ONLY\s+)?"?([a-z_][a-z0-9_]*)"?/g)) {
    if (m[1] in OWNERS) found.add(m[1]);
  }
  return found;
}

describe('table ownership', () => {
  it('declares an owner for every table the migrations create', () => {
    const created = new Set<string>();
    for (const file of migrationFiles()) {
      for (const m of readFileSync(file, 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?([a-z_]+)"?/g)) created.add(m[1]);
    }
    expect(created.size).toBeGreaterThan(20);
    expect([...created].filter((t) => !(t in OWNERS))).toEqual([]);
  });

  it('keeps every SQL statement on a table inside the lib that owns it', () => {
    const strays: string[] = [];
    const sources = [...files(join(ROOT, 'libs')), ...files(join(ROOT, 'apps'))].filter(
      (f) => !isTest(f) && !f.includes('/src/migrations/') && !f.includes('/console/assets/'),
    );
    for (const file of sources) {
      const rel = relative(ROOT, file);
      const lib = /^libs\/([^/]+)\//.exec(rel)?.[1];
      for (const table of tablesIn(readFileSync(file, 'utf8'))) {
        if (OWNERS[table] !== lib) strays.push(`${rel}: ${table} (owned by ${OWNERS[table]})`);
      }
    }
    expect(strays).toEqual([]);
  });

  it('keeps every TypeORM read or write of an entity inside the lib that owns its table', () => {
    const entities = new Map<string, string>();
    for (const file of files(join(ROOT, 'libs')).filter((f) => !isTest(f))) {
      for (const m of readFileSync(file, 'utf8').matchAll(/@Entity\('([a-z_]+)'\)\s*export class (\w+)/g)) entities.set(m[2], OWNERS[m[1]]);
    }
    expect(entities.size).toBeGreaterThan(0);
    const names = [...entities.keys()].join('|');
    const use = new RegExp(
      `\\.(?:find\\w*|count\\w*|save|insert|update|delete|upsert|getRepository|createQueryBuilder)\\(\\s*(${names})\\b`,
      'g',
    );
    const strays: string[] = [];
    for (const file of [...files(join(ROOT, 'libs')), ...files(join(ROOT, 'apps'))].filter(
      (f) => !isTest(f) && !f.includes('/src/migrations/'),
    )) {
      const rel = relative(ROOT, file);
      const lib = /^libs\/([^/]+)\//.exec(rel)?.[1];
      for (const m of readFileSync(file, 'utf8').matchAll(use)) {
        if (entities.get(m[1]) !== lib) strays.push(`${rel}: ${m[1]} (owned by ${entities.get(m[1])})`);
      }
    }
    expect(strays).toEqual([]);
  });

  it('recognises SQL on a table however the statement is laid out', () => {
    expect([...tablesIn('SELECT 1 FROM org_unit u')]).toEqual(['org_unit']);
    expect([...tablesIn('x LEFT JOIN\n   "ticket" t ON true')]).toEqual(['ticket']);
    expect([...tablesIn('INSERT INTO ticket_event (a) VALUES (1)')]).toEqual(['ticket_event']);
    expect([...tablesIn('UPDATE ONLY document SET a = 1')]).toEqual(['document']);
    expect([...tablesIn('a unit from the org tree')]).toEqual([]);
  });
});
