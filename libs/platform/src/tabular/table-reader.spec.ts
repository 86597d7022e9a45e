import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { childProcessesWith } from '../../../../test/support/child-processes';
import { ImportRejected, PayloadTooLarge, UnsupportedMediaType } from '../errors/domain-error';
import { decodeCsv, DEFAULT_TABLE_LIMITS, detectTableFormat, mapHeaders, readSheet, readTable, SheetRow } from './table-reader';

async function all(data: Buffer, name: string, limits = DEFAULT_TABLE_LIMITS): Promise<SheetRow[]> {
  const rows: SheetRow[] = [];
  for await (const r of readSheet(data, name, limits)) rows.push(r);
  return rows;
}

async function xlsx(rows: unknown[][], configure?: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('清单');
  for (const r of rows) ws.addRow(r);
  configure?.(ws);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

const CSV_TEXT = '名称,类型,上级\n中厂镇,乡镇,白河县\n"第一社区, 新",村,中厂镇\n';

describe('readSheet', () => {
  it('reads UTF-8, UTF-8 with BOM and GBK CSV the same way', async () => {
    const plain = Buffer.from(CSV_TEXT, 'utf8');
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), plain]);
    const gbk = iconv.encode(CSV_TEXT, 'gbk');
    expect(gbk.equals(plain)).toBe(false);
    const expected = [
      { rowNumber: 1, values: ['名称', '类型', '上级'] },
      { rowNumber: 2, values: ['中厂镇', '乡镇', '白河县'] },
      { rowNumber: 3, values: ['第一社区, 新', '村', '中厂镇'] },
    ];
    for (const data of [plain, bom, gbk]) expect(await all(data, 'org.csv')).toEqual(expected);
  });

  it('numbers rows as the sheet does, skipping blank lines', async () => {
    const rows = await all(Buffer.from('a,b\n\n1,2\n,\n3,4\n'), 'x.csv');
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 3, 5]);
  });

  it('reads the first worksheet of an XLSX with dates as ISO days and formulas as their cached values', async () => {
    const data = await xlsx(
      [
        ['序号', '问题描述', '整改时限', '合计'],
        [1, '危房改造未完成', new Date(Date.UTC(2026, 6, 28)), { formula: 'A2*100', result: 100 }],
        [2, { richText: [{ text: '富' }, { text: '文本' }] }, 46231, '=1+1'],
      ],
      (ws) => (ws.getCell('C2').numFmt = 'yyyy-mm-dd'),
    );
    const rows = await all(data, 'findings.xlsx');
    expect(rows[1].values).toEqual(['1', '危房改造未完成', '2026-07-28', '100']);
    expect(rows[2].values).toEqual(['2', '富文本', '46231', '=1+1']);
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3]);
  });

  it('refuses a zip bomb by its unpacked size before parsing it', async () => {
    const big = await xlsx([['x'.repeat(2000)], ...Array.from({ length: 2000 }, () => ['y'.repeat(1000)])]);
    await expect(all(big, 'bomb.xlsx', { ...DEFAULT_TABLE_LIMITS, maxUnpackedBytes: 100_000 })).rejects.toThrow(PayloadTooLarge);
  });

  it('refuses more rows than the limit', async () => {
    const data = Buffer.from(['h', ...Array.from({ length: 11 }, (_, i) => String(i))].join('\n'));
    await expect(all(data, 'x.csv', { ...DEFAULT_TABLE_LIMITS, maxRows: 10 })).rejects.toThrow(PayloadTooLarge);
  });

  it('decides the format by content', () => {
    expect(detectTableFormat(Buffer.from('a,b'), 'list.csv')).toBe('csv');
    expect(() => detectTableFormat(Buffer.from('a,b'), 'list.xlsx')).toThrow(UnsupportedMediaType);
    expect(detectTableFormat(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'old.xls')).toBe('cfb');
    expect(detectTableFormat(Buffer.from([0x50, 0x4b, 0x03, 0x04]), 'list.ods')).toBe('zip');
    expect(() => detectTableFormat(Buffer.from('a,b'), 'list.et')).toThrow(UnsupportedMediaType);
    expect(() => detectTableFormat(Buffer.from([0x89, 0x50, 0x00, 0x47]), 'photo.csv')).toThrow(UnsupportedMediaType);
  });

  it('decodes GB18030 text that is not valid UTF-8', () => {
    expect(decodeCsv(iconv.encode('问题描述', 'gb18030'))).toBe('问题描述');
  });

  it('decodes UTF-16 with a BOM in either order, and mostly-ASCII UTF-16 without one', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode('序号\t问题描述', 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode('序号\t问题描述', 'utf16be')]);
    expect(decodeCsv(le)).toBe('序号\t问题描述');
    expect(decodeCsv(be)).toBe('序号\t问题描述');
    expect(decodeCsv(iconv.encode('no,title\n1,危房', 'utf16le'))).toBe('no,title\n1,危房');
    expect(detectTableFormat(iconv.encode('no,title\n1,x', 'utf16le'), 'x.txt')).toBe('csv');
  });
});

describe('mapHeaders', () => {
  const specs = [
    { key: 'title', headers: ['问题描述', '存在问题'], required: true },
    { key: 'unit', headers: ['责任单位'], required: true },
    { key: 'no', headers: ['序号', '编号'], required: false },
  ] as const;

  it('finds columns by any of their names, ignoring spaces, asterisks and colons', () => {
    const map = mapHeaders({ rowNumber: 1, values: ['__proto__', '编号', '存在 问题*', '责任单位：', 'constructor'] }, specs);
    expect([...map.entries()]).toEqual([
      ['no', 1],
      ['title', 2],
      ['unit', 3],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names every missing or doubled column as a 422 on the header row', () => {
    try {
      mapHeaders({ rowNumber: 2, values: ['序号', '编号'] }, specs);
      throw new Error('expected a rejection');
    } catch (e) {
      expect(e).toBeInstanceOf(ImportRejected);
      expect((e as ImportRejected).rows).toEqual([
        { row: 2, column: '编号', message: 'column "编号" appears twice' },
        { row: 2, column: '问题描述', message: 'missing column 问题描述 / 存在问题' },
        { row: 2, column: '责任单位', message: 'missing column 责任单位' },
      ]);
    }
  });
});

describe('readTable on a workbook saved by LibreOffice', () => {
  const specs = [
    { key: 'title', headers: ['问题描述'], required: true },
    { key: 'unit', headers: ['责任单位'], required: true },
  ] as const;
  // LibreOffice writes the sheets first and the shared strings and relationships after them.
  const twoSheets = readFileSync(join(__dirname, '../../../../test/fixtures/findings/two-sheets.xlsx'));

  async function read(sheet?: string): Promise<string[]> {
    const out: string[] = [];
    for await (const item of readTable(twoSheets, 'two-sheets.xlsx', specs, { sheet })) {
      out.push(item.kind === 'header' ? `${item.sheet}:${item.header.rowNumber}` : item.row.values.join('|'));
    }
    return out;
  }

  it('reads the sheets with their shared strings every time, in the workbook order', async () => {
    const first = await read();
    expect(first[0]).toBe('问题清单:1');
    expect(first).toHaveLength(2);
    // Reading the package through exceljs's own zip loop lost the shared strings about one read in ten.
    for (let i = 0; i < 40; i++) expect(await read()).toEqual(first);
    expect((await read('备用'))[0]).toBe('备用:1');
  });
});

describe('readTable under title rows', () => {
  const specs = [
    { key: 'title', headers: ['问题描述'], required: true },
    { key: 'unit', headers: ['责任单位'], required: true },
  ] as const;

  it.each(['office-layout.xlsx', 'office-layout.xls'])('gives the rows above the header of %s with the header', async (name) => {
    const data = readFileSync(join(__dirname, '../../../../test/fixtures/findings', name));
    const items = [];
    for await (const item of readTable(data, name, specs)) items.push(item);
    const header = items[0];
    if (header.kind !== 'header') throw new Error('the header comes first');
    expect(header.header.rowNumber).toBe(3);
    expect(header.above.map((r) => r.rowNumber)).toEqual([1, 2]);
    expect(header.above[0].values[0]).toBe('州委第一巡察组巡察中厂镇反馈问题整改清单');
    expect(header.above[1].values).toContain('填报时间：2026年8月1日');
    expect(items.filter((i) => i.kind === 'row')).toHaveLength(5);
  });
});

describe('an .xls, .et or .ods is read in a process of its own', () => {
  const fixtures = join(__dirname, '../../../../test/fixtures/findings');
  const office = readFileSync(join(fixtures, 'office-layout.xls'));

  /** This process's children that read a sheet for it. */
  const readers = () => childProcessesWith('sheet-worker.js');

  async function noReaderLeft(): Promise<number[]> {
    for (let i = 0; i < 100 && readers().length; i++) await new Promise((r) => setTimeout(r, 20));
    return readers();
  }

  it('runs while the rows are read and is gone once the sheet is read, for each format', async () => {
    for (const name of ['office-layout.xls', 'office-layout.et', 'office-layout.ods']) {
      const seen: number[][] = [];
      const rows: SheetRow[] = [];
      for await (const row of readSheet(readFileSync(join(fixtures, name)), name)) {
        if (!rows.length) seen.push(readers());
        rows.push(row);
      }
      expect(seen[0].length).toBe(1);
      expect(rows.map((r) => r.values[0])).toContain('州委第一巡察组巡察中厂镇反馈问题整改清单');
      expect(await noReaderLeft()).toEqual([]);
    }
  });

  it('is ended when the caller stops reading early', async () => {
    for await (const row of readSheet(office, 'office-layout.xls')) {
      expect(row.rowNumber).toBe(1);
      break;
    }
    expect(await noReaderLeft()).toEqual([]);
  });

  it('reads the first sheet, or the one named after one passed over, from a two-sheet .xls', async () => {
    const specs = [
      { key: 'title', headers: ['问题描述'], required: true },
      { key: 'unit', headers: ['责任单位'], required: true },
    ] as const;
    const data = readFileSync(join(fixtures, 'two-sheets.xls'));
    const headers: string[] = [];
    for (const sheet of [undefined, '备用']) {
      for await (const item of readTable(data, 'two-sheets.xls', specs, { sheet })) if (item.kind === 'header') headers.push(item.sheet);
    }
    expect(headers).toEqual(['问题清单', '备用']);
    expect(await noReaderLeft()).toEqual([]);
  });

  it('refuses with 413 a workbook that needs more memory or time to read than the limits give', async () => {
    await expect(all(office, 'office-layout.xls', { ...DEFAULT_TABLE_LIMITS, readerHeapMb: 4 })).rejects.toThrow(/more memory to read/);
    await expect(all(office, 'office-layout.xls', { ...DEFAULT_TABLE_LIMITS, readerHeapMb: 4 })).rejects.toBeInstanceOf(PayloadTooLarge);
    await expect(all(office, 'office-layout.xls', { ...DEFAULT_TABLE_LIMITS, readerTimeoutMs: 1 })).rejects.toThrow(/more time to read/);
    expect(await noReaderLeft()).toEqual([]);
  });

  it('refuses with 415 an OLE file that is no workbook', async () => {
    // An OLE compound file header with nothing a workbook needs after it.
    const ole = Buffer.concat([Buffer.from('d0cf11e0a1b11ae1', 'hex'), Buffer.alloc(1024, 0x41)]);
    await expect(all(ole, 'x.xls')).rejects.toBeInstanceOf(UnsupportedMediaType);
  });
});
