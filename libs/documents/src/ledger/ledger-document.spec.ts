import { loadConfig } from '@app/platform';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { periodDays } from '../documents.service';
import { TemplateError, TemplateRegistry } from '../render/template-registry';
import { ledgerSampleSnapshot } from './ledger-sample';

describe('the ledger document', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-ledger-doc-'));
  const registry = new TemplateRegistry(loadConfig({ CONFIG_DIR: dir }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('renders in Chinese with the totals sentence, the summaries and every row', () => {
    const html = registry.render(ledgerSampleSnapshot('zh'));
    expect(html).toContain('class="red-rule"');
    for (const text of [
      '中厂镇2026年7月问题整改台账',
      '台账〔2026〕3号',
      '2026年7月，中厂镇（含下辖单位）排查出问题2个，已整改销号1个，其中按期销号1个、逾期销号0个，销号率50%，逾期未整改1个。',
      '<td>巡察</td>',
      '<td>中厂镇第二社区</td>',
      '中厂镇-2026-0001',
      '按期销号',
      '逾期未整改（5天）',
      '李四',
    ])
      expect(html).toContain(text);
  });

  it('renders in English with the sources and states in English', () => {
    const html = registry.render(ledgerSampleSnapshot('en'));
    for (const text of [
      'Ledger [2026] No. 3',
      'found 2 problem(s) and closed out 1',
      '<td>Audit</td>',
      '<td class="center">Patrol</td>',
      'overdue (5 days)',
      'on time',
    ])
      expect(html).toContain(text);
  });

  it('checks a county’s ledger template against sample data at start', () => {
    const county = mkdtempSync(join(tmpdir(), 'rt-ledger-doc-'));
    try {
      mkdirSync(join(county, 'templates'));
      writeFileSync(join(county, 'templates', 'ledger.hbs'), '{{#> _page}}{{> (lookup header "nothing")}}{{/_page}}');
      expect(() => new TemplateRegistry(loadConfig({ CONFIG_DIR: county }))).toThrow(TemplateError);
      expect(() => new TemplateRegistry(loadConfig({ CONFIG_DIR: county }))).toThrow(/ledger\.hbs: fails on sample data/);
      writeFileSync(join(county, 'templates', 'ledger.hbs'), '{{#> _page}}<p>县定台账：{{data.totals.sentence}}</p>{{/_page}}');
      expect(new TemplateRegistry(loadConfig({ CONFIG_DIR: county })).render(ledgerSampleSnapshot())).toContain('县定台账：排查出问题2个');
    } finally {
      rmSync(county, { recursive: true, force: true });
    }
  });

  it('covers the days of a month or a year', () => {
    expect(periodDays('2026-02')).toEqual({ from: '2026-02-01', to: '2026-02-28' });
    expect(periodDays('2024-02')).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(periodDays('2026')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
  });
});
