import { loadConfig } from '@app/platform';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { firstSheet, pdfText } from '../../../../test/support/downloads';
import { periodDays } from '../documents.service';
import { PdfRenderer } from '../render/pdf-renderer';
import type { DocumentSnapshot } from '../render/snapshot';
import { TemplateError, TemplateRegistry } from '../render/template-registry';
import { writeListWorkbook } from '../xlsx/list-workbook';
import { ledgerSampleSnapshot } from './ledger-sample';
import type { LedgerRow } from './ledger.types';

/** The sample's rows: the first repeats a closed ticket and has evidence warnings, the second has neither. */
const rowsOf = (s: DocumentSnapshot) => (s.data as { rows: LedgerRow[] }).rows;

/** The HTML of each row of the 明细 table, in order. */
const rowHtml = (html: string): string[] => {
  const body = html.slice(html.indexOf('<table class="rows">'));
  return [...body.matchAll(/<tr[^>]*><td class="center">\d+<\/td>.*?<\/tr>/g)].map((m) => m[0]);
};

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

  it('marks the ticket that repeats a closed one and has evidence warnings, and no other, in both languages', () => {
    const sample = ledgerSampleSnapshot('zh');
    expect(rowsOf(sample).map((r) => [r.repeatOf?.length, r.evidenceWarnings?.length])).toEqual([
      [1, 2],
      [0, 0],
    ]);
    const [flagged, plain] = rowHtml(registry.render(sample));
    // Under the problem's description; each check named once, in the order first raised.
    expect(flagged).toContain(
      '<td>问题1<div><strong>屡查屡犯</strong>：重复中厂镇-2025-0107</div><div><strong>佐证预警</strong>：重复使用、无拍摄时间</div></td>',
    );
    expect(plain).toContain('<td>问题2</td>');
    for (const text of ['屡查屡犯', '佐证预警', '重复使用', '无拍摄时间']) expect(plain).not.toContain(text);

    const [en, enPlain] = rowHtml(registry.render(ledgerSampleSnapshot('en')));
    expect(en).toContain(
      '<td>问题1<div><strong>Repeat problem</strong>: repeats 中厂镇-2025-0107</div><div><strong>Evidence warnings</strong>: reused file; no capture time</div></td>',
    );
    expect(enPlain).toContain('<td>问题2</td>');
    for (const text of ['Repeat problem', 'Evidence warnings']) expect(enPlain).not.toContain(text);
  });

  it('keeps the columns of every row and of the empty ledger to the header', () => {
    for (const locale of ['zh', 'en'] as const) {
      const sample = ledgerSampleSnapshot(locale);
      const html = registry.render(sample);
      const table = html.slice(html.indexOf('<table class="rows">'));
      const headers = (table.slice(0, table.indexOf('</thead>')).match(/<th>/g) ?? []).length;
      expect(headers).toBe(11);
      for (const row of rowHtml(html)) expect((row.match(/<td[ >]/g) ?? []).length).toBe(headers);
      const empty = registry.render({ ...sample, data: { ...(sample.data as object), rows: [] } });
      expect(empty).toContain(`<td colspan="${headers}" class="center">`);
    }
  });

  it('prints the repeat flag and the warnings to PDF, and nothing of them for a ticket without', async () => {
    const pdf = new PdfRenderer(loadConfig({ CONFIG_DIR: dir }));
    try {
      const sample = ledgerSampleSnapshot('zh');
      const flat = (s: DocumentSnapshot) => pdf.render(registry.render(s)).then((b) => pdfText(b, 'raw').replace(/\s+/g, ''));
      const both = await flat(sample);
      expect(both).toContain('问题1屡查屡犯：重复中厂镇-2025-0107佐证预警：重复使用、无拍摄时间');
      // The same ledger with the second row alone.
      const plainOnly = await flat({ ...sample, data: { ...(sample.data as object), rows: rowsOf(sample).slice(1) } });
      expect(plainOnly).toContain('问题2');
      for (const text of ['屡查屡犯', '佐证预警', '重复使用', '无拍摄时间']) expect(plainOnly).not.toContain(text);
    } finally {
      await pdf.onModuleDestroy();
    }
  }, 60_000);

  it('gives the workbook a 屡查屡犯 and a 佐证预警 column, filled for the flagged ticket alone', async () => {
    const sample = ledgerSampleSnapshot('zh');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeListWorkbook('ledger', sample.data, out);
    const ws = await firstSheet(Buffer.concat(chunks));
    const headers = (ws.getRow(3).values as unknown[]).slice(1);
    const repeat = headers.indexOf('屡查屡犯') + 1;
    const warnings = headers.indexOf('佐证预警') + 1;
    expect([repeat, warnings]).toEqual([19, 20]);
    expect([ws.getRow(4).getCell(2).value, ws.getRow(4).getCell(repeat).value, ws.getRow(4).getCell(warnings).value]).toEqual([
      '中厂镇-2026-0001',
      '重复中厂镇-2025-0107',
      '重复使用、无拍摄时间',
    ]);
    expect([ws.getRow(5).getCell(2).value, ws.getRow(5).getCell(repeat).value, ws.getRow(5).getCell(warnings).value]).toEqual([
      '中厂镇-2026-0002',
      null,
      null,
    ]);
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
