import type { Locale } from '../kinds';
import type { DocumentSnapshot } from '../render/snapshot';
import { LedgerTally } from './ledger-totals';
import type { LedgerRow } from './ledger.types';

/** A ledger document's data as issuing stores it, to check its templates at start and in tests. */

const row = (seq: number, over: Partial<LedgerRow>): LedgerRow => ({
  seq,
  id: `00000000-0000-4000-8000-00000000030${seq}`,
  code: `中厂镇-2026-000${seq}`,
  source: 'patrol',
  sourceLabel: '巡察',
  inspectionTitle: '县委巡察组反馈问题',
  issuedBy: '督查组',
  title: `问题${seq}`,
  category: null,
  unitId: '00000000-0000-4000-8000-000000000101',
  unitName: '中厂镇第一社区',
  responsible: '张三',
  foundOn: '2026-07-10',
  originalDeadline: '2026-07-31',
  deadline: '2026-07-31',
  measures: '督促整改',
  status: 'in_progress',
  statusLabel: '整改中',
  closedOn: null,
  closeOut: null,
  closeOutLabel: null,
  overdue: false,
  daysOverdue: 0,
  returned: 0,
  verifier: null,
  repeatOf: [],
  evidenceWarnings: [],
  ...over,
});

const SAMPLE_LEDGER_ROWS: LedgerRow[] = [
  row(1, {
    status: 'closed',
    statusLabel: '已销号',
    closedOn: '2026-07-20',
    closeOut: 'on_time',
    closeOutLabel: '按期销号',
    verifier: '李四',
    // Closed with a photo that already backs another ticket and has no capture time: 屡查屡犯 and 佐证预警 in one row.
    repeatOf: ['中厂镇-2025-0107'],
    evidenceWarnings: [
      {
        code: 'duplicate',
        message: '同一文件已作为中厂镇-2026-0015（中厂镇第三社区）的佐证材料',
        ticketIds: ['00000000-0000-4000-8000-000000000315'],
        evidenceId: '00000000-0000-4000-8000-000000000401',
        filename: '整改后.jpg',
      },
      {
        code: 'no_capture_time',
        message: '照片没有拍摄时间（可能是截图或转发的图片）',
        evidenceId: '00000000-0000-4000-8000-000000000401',
        filename: '整改后.jpg',
      },
    ],
  }),
  row(2, {
    source: 'audit',
    sourceLabel: '审计',
    unitId: '00000000-0000-4000-8000-000000000102',
    unitName: '中厂镇第二社区',
    status: 'open',
    statusLabel: '待整改',
    overdue: true,
    daysOverdue: 5,
  }),
];

export function ledgerSampleSnapshot(locale: Locale = 'zh'): DocumentSnapshot {
  const tally = new LedgerTally();
  SAMPLE_LEDGER_ROWS.forEach((r) => tally.add(r));
  return {
    kind: 'ledger',
    locale,
    header: {
      issuer: '中厂镇脱贫攻坚领导小组办公室',
      number: 3,
      year: 2026,
      numberLabel: locale === 'zh' ? '台账〔2026〕3号' : 'Ledger [2026] No. 3',
      title: locale === 'zh' ? '中厂镇2026年7月问题整改台账' : 'Problem ledger of 中厂镇, July 2026',
      unitName: '中厂镇',
      townshipName: '中厂镇',
      period: '2026-07',
      periodLabel: locale === 'zh' ? '2026年7月' : 'July 2026',
      issuedDate: locale === 'zh' ? '2026年8月1日' : '1 August 2026',
      timezone: 'Asia/Shanghai',
      issuedBy: '王五',
      corrects: null,
    },
    data: { subtitle: '统计范围：中厂镇（含下辖单位）', rows: SAMPLE_LEDGER_ROWS, totals: tally.totals() },
  };
}
