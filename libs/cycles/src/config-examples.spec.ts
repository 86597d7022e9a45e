import { loadScoringRules, DEFAULT_RULES } from '@app/assessment';
import { AppConfig } from '@app/platform';
import { DEFAULT_CATEGORIES, loadCategories } from '@app/tickets';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkingDays } from './calendar/working-days';
import { BulletinRules, DEFAULT_BULLETIN_RULES } from './steps/bulletin-rules';

/** The example files in config/ are what users copy: each must load as its reader expects. */
describe('the configuration examples', () => {
  let dir: string;
  const use = (example: string, name: string) => copyFileSync(join(__dirname, '../../../config', example), join(dir, name));

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-config-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('holidays: adds a day off and a make-up working day over the built-in list', () => {
    use('holidays.example.yaml', 'holidays.yaml');
    const days = WorkingDays.load(dir);
    expect(days.isWorkingDay('2026-12-31')).toBe(false);
    expect(days.holidayName('2026-12-31')).toBe('县庆');
    expect(days.isWorkingDay('2026-12-27')).toBe(true);
    expect(WorkingDays.load(join(dir, 'none')).isWorkingDay('2026-12-31')).toBe(true);
  });

  it('ranking and bulletin: the examples spell out the defaults', () => {
    use('ranking.example.yaml', 'ranking.yaml');
    use('bulletin.example.yaml', 'bulletin.yaml');
    expect(loadScoringRules(dir)).toEqual(DEFAULT_RULES);
    expect(new BulletinRules({ configDir: dir } as AppConfig).rules).toEqual(DEFAULT_BULLETIN_RULES);
  });

  it('ranking: a bad file stops the start naming the file and the field', () => {
    writeFileSync(join(dir, 'ranking.yaml'), 'grades:\n  - { grade: 好, from: 50 }\nlights:\n  red: { overdue: 0 }\n');
    expect(() => loadScoringRules(dir)).toThrow(/ranking\.yaml: grades\.0\.from: the last grade must start at 0; lights\.red\.overdue/);
    writeFileSync(join(dir, 'ranking.yaml'), 'lights:\n  yellow: { returned: 2 }\nweights:\n  selfCheck: 20\n');
    const rules = loadScoringRules(dir);
    expect(rules.lights).toEqual({ red: { overdue: 3, returned: 3 }, yellow: { overdue: 1, returned: 2 } });
    expect(rules.weights).toMatchObject({ taskCompletion: 40, selfCheck: 20 });
  });

  it('categories: the example lists the defaults', () => {
    use('ticket-categories.example.yaml', 'ticket-categories.yaml');
    expect(loadCategories(dir)).toEqual(DEFAULT_CATEGORIES);
  });
});
