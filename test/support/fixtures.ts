import ExcelJS from 'exceljs';
import { DataSource } from 'typeorm';
import type { TestApp } from './test-app';

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A 1×1 PNG, a minimal PDF, and text that is neither. */
export const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360f8cfc0f01f0005000201e9e5b0a60000000049454e44ae426082',
  'hex',
);
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

/** Raises a ticket as `token`, with a responsible person and measures unless the body names them. */
export async function raiseTicket(t: TestApp, token: string, body: Record<string, unknown>): Promise<string> {
  const res = await t
    .http()
    .post('/api/v1/issues')
    .set(bearer(token))
    .send({ responsible: '张三', measures: '督促整改', ...body });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}

/** Takes an action of the close-out workflow, failing the test unless it is accepted. */
/** Records an inspection (its findings become tickets) and gives its id. */
export async function createInspection(
  t: TestApp,
  token: string,
  body: { source: string; date: string; unitId: string; title: string; issuedBy?: string },
): Promise<string> {
  const res = await t
    .http()
    .post('/api/v1/inspections')
    .set(bearer(token))
    .send({ issuedBy: '督查组', ...body });
  if (res.status !== 201) throw new Error(JSON.stringify(res.body));
  return res.body.id as string;
}

export async function transition(t: TestApp, token: string, id: string, body: Record<string, unknown>): Promise<void> {
  const res = await t.http().post(`/api/v1/issues/${id}/transitions`).set(bearer(token)).send(body);
  if (res.status !== 200) throw new Error(JSON.stringify(res.body));
}

/** Walks a ticket to closed: the team starts it and submits a photo, the verifier approves. */
export async function closeOutTicket(t: TestApp, team: string, verifier: string, id: string): Promise<void> {
  await transition(t, team, id, { action: 'start' });
  const ev = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team)).attach('file', PNG, 'photo.png');
  await transition(t, team, id, { action: 'submit', comment: '已整改', evidenceIds: [ev.body.id] });
  await transition(t, verifier, id, { action: 'approve', comment: '经核查整改到位' });
}

/**
 * Drafts a township's July 2026 task list: a quantified visit task for both teams (one task row
 * each) and a briefing for the first team only, three task rows in all.
 */
export function draftJulyTasks(t: TestApp, leader: string, township: string, teams: [string, string]) {
  return t
    .http()
    .post('/api/v1/task-lists')
    .set(bearer(leader))
    .send({
      unitId: township,
      period: '2026-07',
      tasks: [
        { title: '入户走访', indicator: '走访贫困户', target: 30, measureUnit: '户', unitIds: teams, deadline: '2026-07-20' },
        { title: '政策宣讲', unitIds: [teams[0]], deadline: '2026-07-31' },
      ],
    });
}

export async function unitId(t: TestApp, name: string): Promise<string> {
  const [row] = await t.app.get(DataSource).query<Array<{ id: string }>>(`SELECT id FROM org_unit WHERE name = $1`, [name]);
  if (!row) throw new Error(`no unit ${name}`);
  return row.id;
}

export function csv(rows: string[][]): Buffer {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return Buffer.from(rows.map((r) => r.map(cell).join(',')).join('\n') + '\n', 'utf8');
}

export async function xlsx(rows: unknown[][], configure?: (ws: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('问题清单');
  for (const r of rows) ws.addRow(r);
  configure?.(ws);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** A findings list of `n` rows spread over the communities of 中厂镇. */
export function findingsRows(n: number, deadline = '2026-12-31'): string[][] {
  const rows = [['序号', '问题描述', '问题类别', '责任单位', '责任人', '整改措施', '整改时限']];
  const units = ['中厂镇第一社区', '中厂镇第二社区', '中厂镇第三社区', '中厂镇第四社区', '中厂镇第五社区'];
  const categories = ['精准识别', '政策落实', '两不愁三保障', '基础工作'];
  for (let i = 1; i <= n; i++) {
    rows.push([
      String(i),
      `第${i}项问题：危房改造和饮水安全排查不到位`,
      categories[i % 4],
      units[i % 5],
      `责任人${i}`,
      '逐户排查，限期整改',
      deadline,
    ]);
  }
  return rows;
}
