import type * as Docx from 'docx';
import type { DocumentSnapshot } from './snapshot';
import { percent } from '../ledger/ledger-totals';

interface Team {
  unitName: string;
  score: number;
  rank: number;
  reasons: string[];
}

interface BulletinData {
  township?: { name?: string };
  figures?: Record<string, number>;
  praised?: Team[];
  criticised?: Team[];
  problems?: string[];
  nextSteps?: string[];
}

const RED = 'C00000';
const font = (eastAsia: string) => ({ eastAsia, ascii: 'Times New Roman', hAnsi: 'Times New Roman' });
const FANGSONG = font('仿宋_GB2312');
const HEITI = font('黑体');
const XIAOBIAOSONG = font('方正小标宋简体');
/** Half-points: 三号 16pt, 二号 22pt, the masthead 36pt. */
const SIZE = { body: 32, title: 44, masthead: 72, table: 24 };
const mm = (v: number) => Math.round(v * 56.7);

let loaded: typeof Docx | undefined;

/** docx costs ~14 MB of resident memory; it is loaded for the first Word file, not at start. */
function docx(): typeof Docx {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('docx') as typeof Docx);
}

const body = (text: string, indent = true) => {
  const { AlignmentType, Paragraph, TextRun } = docx();
  return new Paragraph({
    alignment: AlignmentType.JUSTIFIED,
    indent: indent ? { firstLine: 640 } : undefined,
    spacing: { line: 560 },
    children: [new TextRun({ text, font: FANGSONG, size: SIZE.body })],
  });
};

const heading = (text: string) => {
  const { Paragraph, TextRun } = docx();
  return new Paragraph({
    indent: { firstLine: 640 },
    spacing: { line: 560 },
    children: [new TextRun({ text, font: HEITI, size: SIZE.body })],
  });
};

const cell = (text: string, header = false) => {
  const { AlignmentType, Paragraph, TableCell, TextRun } = docx();
  return new TableCell({
    children: [
      new Paragraph({
        alignment: header ? AlignmentType.CENTER : AlignmentType.LEFT,
        children: [new TextRun({ text, font: header ? HEITI : FANGSONG, size: SIZE.table, bold: header })],
      }),
    ],
  });
};

function teamTable(teams: Team[], zh: boolean): Docx.Table {
  const { Table, TableRow, WidthType } = docx();
  const head = zh ? ['序号', '工作队', '得分', '排名', '事由'] : ['No.', 'Team', 'Score', 'Rank', 'Why'];
  return new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    rows: [
      new TableRow({ tableHeader: true, children: head.map((h) => cell(h, true)) }),
      ...teams.map(
        (t, i) =>
          new TableRow({
            children: [String(i + 1), t.unitName, t.score.toFixed(1), String(t.rank), t.reasons.join(zh ? '；' : '; ')].map((v) => cell(v)),
          }),
      ),
    ],
  });
}

/**
 * The supervision bulletin as a Word file in the 公文 layout (GB/T 9704 margins): red masthead
 * with the issuing body, 期数, issuer and date over a red rule, title, body sections with their
 * tables, signature and date. Built from the stored snapshot, as every rendition is.
 */
export async function bulletinDocx(snapshot: DocumentSnapshot): Promise<Buffer> {
  const { AlignmentType, BorderStyle, Document, Packer, Paragraph, TabStopPosition, TabStopType, TextRun } = docx();
  const h = snapshot.header;
  const d = (snapshot.data ?? {}) as BulletinData;
  const zh = snapshot.locale === 'zh';
  const f = d.figures ?? {};
  const names = (teams: Team[]) => teams.map((t) => t.unitName).join('、');
  const praised = d.praised ?? [];
  const criticised = d.criticised ?? [];
  const pct = (v: number | undefined) => percent(v ?? 0);

  const children: Array<Docx.Paragraph | Docx.Table> = [
    new Paragraph({
      alignment: AlignmentType.CENTER,
      children: [
        new TextRun({ text: zh ? '督 查 通 报' : 'Supervision Bulletin', font: XIAOBIAOSONG, size: SIZE.masthead, color: RED, bold: true }),
      ],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 200 },
      children: [new TextRun({ text: h.numberLabel, font: FANGSONG, size: SIZE.body })],
    }),
    new Paragraph({
      tabStops: [{ type: TabStopType.RIGHT, position: TabStopPosition.MAX }],
      border: { bottom: { style: BorderStyle.SINGLE, size: 24, color: RED, space: 4 } },
      children: [new TextRun({ text: `${h.issuer}\t${h.issuedDate}`, font: FANGSONG, size: SIZE.body })],
    }),
    new Paragraph({
      alignment: AlignmentType.CENTER,
      spacing: { before: 480, after: 240 },
      children: [new TextRun({ text: h.title, font: XIAOBIAOSONG, size: SIZE.title, bold: true })],
    }),
  ];
  if (h.corrects) {
    children.push(
      body(
        zh
          ? `本件为对${h.corrects.numberLabel}《${h.corrects.title}》的更正，以本件为准。`
          : `This issue corrects ${h.corrects.numberLabel}.`,
        false,
      ),
    );
  }
  if (zh) {
    children.push(
      body('各村（社区）、镇直各单位：', false),
      heading('一、基本情况'),
      body(
        `${h.periodLabel}，全镇${f.teams ?? 0}个工作队共排查出问题${f.ticketsFound ?? 0}个，已整改销号${f.ticketsClosed ?? 0}个（其中按期销号${f.ticketsClosedOnTime ?? 0}个），逾期未整改${f.overdue ?? 0}个；下达重点任务${f.tasks ?? 0}项，已完成${f.tasksDone ?? 0}项；${f.selfChecksFiled ?? 0}个工作队报送了月度自查报告。今年以来累计排查出问题${f.yearFound ?? 0}个，已整改销号${f.yearClosed ?? 0}个，整改销号率${pct(f.yearClosureRate)}。`,
      ),
      heading('二、通报表扬'),
      ...(praised.length
        ? [body(`${names(praised)}工作扎实、成效明显，予以通报表扬。`), teamTable(praised, zh)]
        : [body('本月无通报表扬的工作队。')]),
      heading('三、通报批评'),
      ...(criticised.length
        ? [body(`${names(criticised)}工作推进不力，予以通报批评，限期整改。`), teamTable(criticised, zh)]
        : [body('本月无通报批评的工作队。')]),
      heading('四、存在问题'),
      ...((d.problems ?? []).length ? (d.problems ?? []).map((p, i) => body(`${i + 1}. ${p}`)) : [body('本月督查未发现突出问题。')]),
      heading('五、下步要求'),
      ...(d.nextSteps ?? []).map((p, i) => body(`${i + 1}. ${p}`)),
    );
  } else {
    children.push(
      heading('1. The month in figures'),
      body(
        `${f.teams ?? 0} teams found ${f.ticketsFound ?? 0} problems and closed out ${f.ticketsClosed ?? 0} (${f.ticketsClosedOnTime ?? 0} on time); ${f.overdue ?? 0} are overdue. This year: ${f.yearFound ?? 0} found, ${f.yearClosed ?? 0} closed out (${pct(f.yearClosureRate)}).`,
      ),
      heading('2. Praised'),
      ...(praised.length ? [teamTable(praised, zh)] : [body('No team is praised this month.')]),
      heading('3. Criticised'),
      ...(criticised.length ? [teamTable(criticised, zh)] : [body('No team is criticised this month.')]),
      heading('4. Problems found'),
      ...(d.problems ?? []).map((p, i) => body(`${i + 1}. ${p}`)),
      heading('5. Next steps'),
      ...(d.nextSteps ?? []).map((p, i) => body(`${i + 1}. ${p}`)),
    );
  }
  children.push(
    new Paragraph({
      alignment: AlignmentType.RIGHT,
      spacing: { before: 600 },
      children: [new TextRun({ text: h.issuer, font: FANGSONG, size: SIZE.body })],
    }),
    new Paragraph({ alignment: AlignmentType.RIGHT, children: [new TextRun({ text: h.issuedDate, font: FANGSONG, size: SIZE.body })] }),
  );

  const doc = new Document({
    creator: h.issuer,
    title: h.title,
    sections: [
      {
        properties: {
          page: { size: { width: mm(210), height: mm(297) }, margin: { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26) } },
        },
        children,
      },
    ],
  });
  return Packer.toBuffer(doc);
}
