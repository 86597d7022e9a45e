import type { BulletinData, BulletinProblemFacts, BulletinTeam, BulletinTeamFacts } from '@app/cycles';
import { percent } from '@app/tickets';

/** A praised or criticised team as the bulletin prints it: the reasons, worded. */
export interface WordedBulletinTeam extends Omit<BulletinTeam, 'facts'> {
  reasons: string[];
}

/** The bulletin's data as its document stores it: the step's facts, and the sentences made of them. */
export interface BulletinDocumentData extends Omit<BulletinData, 'praised' | 'criticised' | 'problems' | 'thresholds'> {
  praised: WordedBulletinTeam[];
  criticised: WordedBulletinTeam[];
  problems: string[];
}

/** Why a team is praised (通报表扬). */
export function praiseReasons(f: BulletinTeamFacts): string[] {
  const r: string[] = [];
  if (f.tasks.total) r.push(`任务清单完成率${percent(f.tasks.completion)}`);
  if (f.closedOut) r.push(`按期销号${f.closedOnTime}件`);
  if (!f.overdue) r.push('无逾期未整改问题');
  if (f.selfCheck === 'on_time') r.push('按时报送自查报告');
  return r;
}

/** Why a team is criticised (通报批评). */
export function criticismReasons(f: BulletinTeamFacts, limits: BulletinData['thresholds']): string[] {
  const r: string[] = [];
  if (f.tasks.total && f.tasks.completion < limits.lowTaskCompletion) r.push(`任务清单完成率仅${percent(f.tasks.completion)}`);
  if (f.overdueBeyondLimit) r.push(`${f.overdueBeyondLimit}个问题逾期超过${limits.overdueDaysLimit}天未整改`);
  else if (f.overdue) r.push(`${f.overdue}个问题逾期未整改`);
  if (f.returned) r.push(`${f.returned}件销号申请被退回`);
  if (f.selfCheck === 'missing') r.push('未报送月度自查报告');
  else if (f.selfCheck === 'late') r.push('未按时报送自查报告');
  return r.length ? r : ['工作进展缓慢'];
}

/** The sentences of 存在问题. */
export function problemSentences(p: BulletinProblemFacts, limits: BulletinData['thresholds']): string[] {
  const out: string[] = [];
  if (p.missingSelfCheck.length) out.push(`${p.missingSelfCheck.length}个工作队未报送月度自查报告（${p.missingSelfCheck.join('、')}）。`);
  if (p.overdue.tickets) out.push(`逾期未整改问题${p.overdue.tickets}个，涉及${p.overdue.teams}个工作队。`);
  if (p.lowTaskCompletion.length) out.push(`${p.lowTaskCompletion.join('、')}任务清单完成率低于${percent(limits.lowTaskCompletion)}。`);
  if (p.lateCloseOuts > 0) out.push(`本月逾期销号${p.lateCloseOuts}件。`);
  const repeats = p.repeats ?? [];
  if (repeats.length)
    out.push(
      `屡查屡犯问题${repeats.length}个：${repeats.map((r) => `${r.team}${r.code}“${r.title}”（前次${r.repeatOf.join('、')}已销号）`).join('；')}。`,
    );
  const missed = p.selfCheckMissed ?? [];
  if (missed.length)
    out.push(
      `${missed.length}个工作队自查不实，督查巡查发现的问题未列入自查问题清单：${missed.map((m) => `${m.team}${m.codes.length}个（${m.codes.join('、')}）`).join('；')}。`,
    );
  const paper = p.paperCloseOuts ?? [];
  if (paper.length)
    out.push(
      `疑似纸面销号${paper.length}件：${paper.map((c) => `${c.team}${c.code}“${c.title}”（${c.warnings.map((w) => SUSPECT_EVIDENCE[w] ?? w).join('、')}）`).join('；')}。`,
    );
  return out;
}

/** How the bulletin names each evidence warning behind a suspected 纸面销号. */
const SUSPECT_EVIDENCE: Record<string, string> = {
  duplicate: '佐证照片与其他问题重复',
  near_duplicate: '佐证照片与其他问题高度相似',
  taken_before_ticket: '照片拍摄早于问题发现',
};

/** The bulletin's document data: the step's facts worded as the bulletin prints them. */
export function wordBulletin(data: BulletinData): BulletinDocumentData {
  const { praised, criticised, problems, thresholds, ...rest } = data;
  const word =
    (reasons: (f: BulletinTeamFacts) => string[]) =>
    ({ facts, ...team }: BulletinTeam) => ({ ...team, reasons: reasons(facts) });
  return {
    ...rest,
    praised: praised.map(word(praiseReasons)),
    criticised: criticised.map(word((f) => criticismReasons(f, thresholds))),
    problems: problemSentences(problems, thresholds),
  };
}

/**
 * The data a document stores, from the data its step wrote: a bulletin's facts are worded here.
 * Data already worded (a bulletin output stored before the facts were kept apart) stays as it is.
 */
export function documentData(kind: string, data: unknown): unknown {
  if (kind !== 'bulletin') return data;
  const b = data as BulletinData | BulletinDocumentData;
  return Array.isArray(b.problems) ? b : wordBulletin(b as BulletinData);
}
