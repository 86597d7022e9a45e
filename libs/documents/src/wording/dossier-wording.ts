import type { EvidenceWarningCode } from '@app/tickets';

/** How a dossier (整改档案) names each kind of history entry and each workflow action. */
export const HISTORY_LABELS: Record<string, string> = {
  created: '问题立项',
  evidence_added: '上传佐证材料',
  updated: '修改问题信息',
  deadline_changed: '调整整改时限',
  auto_transition: '系统自动处理',
  start: '开始整改',
  submit: '提交销号申请',
  approve: '核验通过，予以销号',
  return: '核验退回',
  reopen: '重新打开',
  cancel: '撤销问题',
  extend: '延长整改时限',
  request_extension: '申请延期',
  approve_extension: '同意延期',
  reject_extension: '不同意延期',
  repeat: '认定为屡查屡犯',
  self_check_missed: '认定为自查不实',
};

/** The names of the evidence checks against 纸面销号, as the dossier's evidence table shows them. */
export const WARNING_LABELS: Record<EvidenceWarningCode, string> = {
  duplicate: '重复使用',
  near_duplicate: '疑似同图',
  taken_before_ticket: '拍摄早于发现',
  no_capture_time: '无拍摄时间',
  far_from_unit: '拍摄地点偏离',
};

/** The same names in English, for the English ledger. */
export const WARNING_LABELS_EN: Record<EvidenceWarningCode, string> = {
  duplicate: 'reused file',
  near_duplicate: 'look-alike photo',
  taken_before_ticket: 'taken before the problem was found',
  no_capture_time: 'no capture time',
  far_from_unit: 'taken far from the unit',
};

/** The names of the checks a ticket's warnings raised, each once, in the order first raised. */
export function warningNames(
  warnings: ReadonlyArray<{ code: EvidenceWarningCode }> | undefined,
  labels: Record<EvidenceWarningCode, string> = WARNING_LABELS,
): string[] {
  return [...new Set((warnings ?? []).map((w) => w.code))].map((code) => labels[code] ?? code);
}

/** The label of a history entry: its action if it has one, else its kind. */
export function historyLabel(kind: string, action: string | null): string {
  return (action && HISTORY_LABELS[action]) || HISTORY_LABELS[kind] || kind;
}

export function dossierTitle(code: string): string {
  return `${code}问题整改档案`;
}
