import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { PassThrough, Readable, Writable } from 'node:stream';
import { DomainError, ErrorCode } from '@app/platform';
import { chineseNumber, compareUnitNames, LedgerTally, summarize } from '../ledger/ledger-totals';
import type { LedgerRow } from '../ledger/ledger.types';
import { csvField } from './csv-table-writer';
import { writeListCsv, writeListWorkbook } from './list-workbook';

const township = { id: 't', name: '中厂镇' };

/** Data of each list kind as the cycle steps store it. */
const DATA: Record<string, unknown> = {
  task_list: {
    taskListId: 'l',
    title: '7月重点工作任务清单',
    team: { id: 'a', name: '中厂镇第一社区' },
    tasks: [
      {
        itemNo: 1,
        title: '入户走访',
        indicator: '走访贫困户',
        target: 30,
        measureUnit: '户',
        unitName: '中厂镇第一社区',
        deadline: '2026-07-20',
        actual: 30,
        completion: 1,
        done: true,
        overdue: false,
      },
      {
        itemNo: 2,
        title: '政策宣讲',
        indicator: null,
        target: null,
        measureUnit: null,
        unitName: '中厂镇第一社区',
        deadline: '2026-07-10',
        actual: 0,
        completion: 0,
        done: false,
        overdue: true,
      },
    ],
  },
  rectification_list: {
    township,
    period: '2026-07',
    items: [
      {
        code: 'ZC-1',
        title: '饮水设施老化',
        unitName: '中厂镇第一社区',
        source: 'patrol',
        responsible: null,
        measures: null,
        deadline: null,
        status: 'open',
        overdueDays: 0,
        missing: ['责任人', '整改措施'],
      },
      {
        code: 'ZC-2',
        title: '危房改造档案不全',
        unitName: '中厂镇第二社区',
        source: 'audit',
        responsible: '王明',
        measures: '补齐档案',
        deadline: '2026-06-10',
        status: 'in_progress',
        overdueDays: 35,
        missing: [],
      },
      {
        code: 'ZC-3',
        title: '产业奖补公示不规范',
        unitName: '中厂镇第二社区',
        source: 'self_check',
        responsible: '李华',
        measures: '重新公示',
        deadline: '2026-08-10',
        status: 'pending_review',
        overdueDays: 0,
        missing: [],
      },
    ],
  },
  progress_list: {
    township,
    period: '2026-07',
    rows: [
      {
        team: { id: 'a', name: '中厂镇第一社区', kind: 'village' },
        tasks: { total: 2, done: 2, completion: 1 },
        tickets: { opened: 1, closed: 2, closedOnTime: 2, overdue: 0, returned: 0 },
        selfCheck: 'on_time',
        nextMonth: [{ title: '产业到户核查' }, { title: '档案整理' }],
        rank: 1,
        score: 100,
      },
      {
        team: { id: 'b', name: '中厂镇第二社区', kind: 'village' },
        tasks: { total: 2, done: 0, completion: 0.4 },
        tickets: { opened: 3, closed: 0, closedOnTime: 0, overdue: 1, returned: 1 },
        selfCheck: 'missing',
        nextMonth: [],
        rank: 2,
        score: 52.5,
      },
    ],
    ranking: [],
  },
  evaluation_list: {
    township,
    period: '2026-07',
    rows: [
      {
        unitId: 'a',
        unitName: '中厂镇第一社区',
        rank: 1,
        score: 98,
        grade: '优秀',
        breakdown: { taskCompletion: 38, onTimeCloseOuts: 25, overdue: 20, returned: 5, selfCheck: 10 },
        praised: true,
        criticised: false,
      },
      {
        unitId: 'b',
        unitName: '中厂镇第二社区',
        rank: 2,
        score: 52.5,
        grade: '较差',
        breakdown: { taskCompletion: 0, onTimeCloseOuts: 25, overdue: 12.5, returned: 5, selfCheck: 10 },
        praised: false,
        criticised: true,
      },
    ],
  },
};

function ledgerRow(seq: number, patch: Partial<LedgerRow>): LedgerRow {
  return {
    seq,
    id: `id${seq}`,
    code: `中厂镇-2026-000${seq}`,
    source: 'patrol',
    sourceLabel: '巡察',
    inspectionTitle: '县委巡察组反馈问题',
    issuedBy: '县委巡察组',
    title: `问题${seq}`,
    category: '政策落实',
    unitId: 'a',
    unitName: '中厂镇第一社区',
    responsible: '张三',
    foundOn: '2026-03-10',
    originalDeadline: '2026-06-30',
    deadline: '2026-06-30',
    measures: '逐户核查',
    status: 'open',
    statusLabel: '待整改',
    closedOn: null,
    closeOut: null,
    closeOutLabel: null,
    overdue: false,
    daysOverdue: 0,
    returned: 0,
    verifier: null,
    ...patch,
  };
}

const LEDGER_ROWS = [
  ledgerRow(1, {
    status: 'closed',
    statusLabel: '已销号',
    closedOn: '2026-06-01',
    closeOut: 'on_time',
    closeOutLabel: '按期销号',
    verifier: '督查组',
  }),
  ledgerRow(2, {
    status: 'closed',
    statusLabel: '已销号',
    closedOn: '2026-07-09',
    closeOut: 'late',
    closeOutLabel: '逾期销号',
    verifier: '督查组',
  }),
  ledgerRow(3, { unitId: 'b', unitName: '中厂镇第二社区', source: 'audit', sourceLabel: '审计', overdue: true, daysOverdue: 31 }),
  ledgerRow(4, { unitId: 'b', unitName: '中厂镇第二社区', status: 'cancelled', statusLabel: '已撤销' }),
];

function tally(rows: LedgerRow[]) {
  const t = new LedgerTally();
  rows.forEach((r) => t.add(r));
  return t.totals();
}

DATA.ledger = { title: '中厂镇问题整改销号台账', subtitle: '统计范围：中厂镇', rows: LEDGER_ROWS, totals: tally(LEDGER_ROWS) };

async function collect(write: (out: Writable) => Promise<void>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await write(out);
  return Buffer.concat(chunks);
}

async function workbook(kind: string, heading?: { title?: string; subtitle?: string }): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.read(Readable.from([await collect((out) => writeListWorkbook(kind, DATA[kind], out, heading))]));
  return wb;
}

const values = (row: ExcelJS.Row) => (row.values as unknown[]).slice(1);
const cells = (row: ExcelJS.Row, n: number) => Array.from({ length: n }, (_, i) => row.getCell(i + 1).value ?? null);

describe('list documents as workbooks and CSV', () => {
  it.each([
    ['task_list', 2, '中厂镇第一社区7月重点工作任务清单', '任务内容'],
    ['rectification_list', 3, '中厂镇2026年7月问题整改清单', '整改要素缺项'],
    ['progress_list', 2, '中厂镇2026年7月工作进度清单', '下月工作计划'],
    ['evaluation_list', 2, '中厂镇2026年7月考评清单', '等次'],
    ['ledger', 4, '中厂镇问题整改销号台账', '验收人'],
  ])('writes a %s with its title, frozen header, %i rows and a totals row', async (kind, rows, title, header) => {
    const wb = await workbook(kind);
    const ws = wb.worksheets[0];
    expect(ws.getCell('A1').value).toBe(title);
    const headerRow = kind === 'ledger' ? 3 : 2;
    expect(values(ws.getRow(headerRow))).toContain(header);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: headerRow });
    expect(ws.getColumn(2).width).toBeGreaterThan(5);
    expect(ws.getRow(headerRow + 1).getCell(1).value).toBe(1);
    expect(ws.getRow(headerRow + rows).getCell(1).value).toBe(rows);
    expect(ws.getRow(headerRow + rows + 1).getCell(1).value).toBe(kind === 'evaluation_list' ? '平均' : '合计');
    expect(typeof ws.getRow(headerRow + rows + 2).getCell(1).value).toBe('string');
  });

  it('puts the document’s own title and number above the list', async () => {
    const wb = await workbook('rectification_list', { title: '中厂镇7月整改清单', subtitle: '中厂镇脱贫办 〔2026〕11号' });
    const ws = wb.worksheets[0];
    expect([ws.getCell('A1').value, ws.getCell('A2').value, ws.getCell('B3').value]).toEqual([
      '中厂镇7月整改清单',
      '中厂镇脱贫办 〔2026〕11号',
      '问题编号',
    ]);
  });

  it('counts the rectification list: overdue and incomplete items, with labels in Chinese', async () => {
    const ws = (await workbook('rectification_list')).worksheets[0];
    expect(cells(ws.getRow(4), 12)).toEqual([
      2,
      'ZC-2',
      '危房改造档案不全',
      null,
      '审计',
      '中厂镇第二社区',
      '王明',
      '2026-06-10',
      '补齐档案',
      '整改中',
      35,
      null,
    ]);
    expect(cells(ws.getRow(3), 12)[11]).toBe('责任人、整改措施');
    expect(ws.getRow(5).getCell(12).value).toBe(null);
    expect(ws.getRow(6).getCell(11).value).toBe('逾期1个');
    expect(ws.getRow(7).getCell(1).value).toBe('待整改问题3个，其中逾期未整改1个，整改要素不全1个。');
  });

  it('sums the progress list and names the praised and criticised teams of the evaluation list', async () => {
    const progress = (await workbook('progress_list')).worksheets[0];
    expect(cells(progress.getRow(5), 11)).toEqual(['合计', '2个', 4, 2, 0.5, 4, 2, 2, 1, 1, '未报送1个']);
    expect(progress.getRow(3).getCell(12).value).toBe('产业到户核查；档案整理');
    const evaluation = (await workbook('evaluation_list')).worksheets[0];
    expect(evaluation.getRow(3).getCell(10).value).toBe('通报表扬');
    expect(evaluation.getRow(4).getCell(10).value).toBe('通报批评');
    expect(evaluation.getRow(5).getCell(8).value).toBe(75.25);
    expect([evaluation.getRow(6).getCell(1).value, evaluation.getRow(7).getCell(1).value]).toEqual([
      '通报表扬：中厂镇第一社区。',
      '通报批评：中厂镇第二社区。',
    ]);
  });

  it('writes the ledger’s summaries by source and unit on a second sheet', async () => {
    const wb = await workbook('ledger');
    const lines: unknown[][] = [];
    wb.getWorksheet('汇总')!.eachRow((r) => lines.push(values(r)));
    expect(lines).toContainEqual(['巡察', 3, 2, 1, 1, 0, 1, 1]);
    expect(lines).toContainEqual(['审计', 1, 0, 0, 0, 1, 0, 0]);
    expect(lines).toContainEqual(['合计', 4, 2, 1, 1, 1, 1, 0.6667]);
  });

  it('writes CSV with a BOM, CRLF lines and the same rows', async () => {
    const body = await collect((out) => writeListCsv('task_list', DATA.task_list, out));
    expect([...body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(body.toString('utf8')).toContain('\r\n');
    const records: string[][] = parse(body, { bom: true, relax_column_count: true });
    expect(records[0][1]).toBe('任务内容');
    expect(records.slice(1, 3).map((r) => [r[0], r[1], r[9]])).toEqual([
      ['1', '入户走访', '已完成'],
      ['2', '政策宣讲', '逾期未完成'],
    ]);
    expect(records[3][0]).toBe('合计');
    expect(records[4]).toEqual(['共2项任务，已完成1项，逾期未完成1项，平均完成率50%。']);
  });

  it('has no spreadsheet for a bulletin or a self-check report', async () => {
    for (const kind of ['bulletin', 'self_check_report']) {
      const error = await writeListWorkbook(kind, {}, new PassThrough()).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(ErrorCode.NotFound);
    }
  });
});

describe('CSV fields', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['说"回头看"', '"说""回头看"""'],
    ['两行\n文字', '"两行\n文字"'],
    ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
    ['+86 138', "'+86 138"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['-5', "'-5"],
    ['-', "'-"],
  ])('writes %j as %j', (input, output) => {
    expect(csvField(input)).toBe(output);
  });

  it('writes numbers and empty cells', () => {
    expect([csvField(0.5), csvField(null), csvField(12)]).toEqual(['0.5', '', '12']);
  });
});

describe('ledger totals', () => {
  it('counts found, closed on time and late, overdue and cancelled, and says it in one sentence', () => {
    const t = tally(LEDGER_ROWS);
    expect(t).toMatchObject({
      found: 4,
      closed: 2,
      closedOnTime: 1,
      closedLate: 1,
      open: 1,
      overdue: 1,
      cancelled: 1,
      closureRate: 0.6667,
    });
    expect(t.sentence).toBe('排查出问题4个，已整改销号2个，其中按期销号1个、逾期销号1个，销号率66.7%，逾期未整改1个，撤销1个。');
    expect(t.bySource.map((s) => s.label)).toEqual(['巡察', '审计']);
    expect(t.byUnit.map((u) => [u.unitName, u.found])).toEqual([
      ['中厂镇第一社区', 2],
      ['中厂镇第二社区', 2],
    ]);
  });

  it('gives a closure rate of 100% when nothing is left to close, and the same totals from groups as from rows', () => {
    const empty = summarize([]);
    expect(empty).toMatchObject({ found: 0, closed: 0, closureRate: 1, bySource: [], byUnit: [] });
    expect(empty.sentence).toBe('排查出问题0个，已整改销号0个，销号率100%，逾期未整改0个。');
    const groups = [
      {
        unitId: 'a',
        unitName: '中厂镇第一社区',
        source: 'patrol' as const,
        found: 2,
        closed: 2,
        closedOnTime: 1,
        overdue: 0,
        cancelled: 0,
        returned: 0,
      },
      {
        unitId: 'b',
        unitName: '中厂镇第二社区',
        source: 'patrol' as const,
        found: 1,
        closed: 0,
        closedOnTime: 0,
        overdue: 0,
        cancelled: 1,
        returned: 0,
      },
      {
        unitId: 'b',
        unitName: '中厂镇第二社区',
        source: 'audit' as const,
        found: 1,
        closed: 0,
        closedOnTime: 0,
        overdue: 1,
        cancelled: 0,
        returned: 0,
      },
    ];
    expect(summarize(groups)).toEqual(tally(LEDGER_ROWS));
  });
});

describe('unit order', () => {
  it('reads Chinese numerals in names as numbers', () => {
    expect([chineseNumber('十'), chineseNumber('十一'), chineseNumber('二十'), chineseNumber('一百零五'), chineseNumber('村')]).toEqual([
      10,
      11,
      20,
      105,
      undefined,
    ]);
    const names = ['中厂镇第十社区', '中厂镇第二社区', '中厂镇第一社区', '中厂镇第十一社区', '椿木营乡第03村', '椿木营乡第12村'];
    // Townships by pinyin (椿 chūn before 中 zhōng), then the numbers in order.
    expect([...names].sort(compareUnitNames)).toEqual([
      '椿木营乡第03村',
      '椿木营乡第12村',
      '中厂镇第一社区',
      '中厂镇第二社区',
      '中厂镇第十社区',
      '中厂镇第十一社区',
    ]);
  });
});
