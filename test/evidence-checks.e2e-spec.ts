import { FakeClock } from '@app/platform';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bearer, PDF, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

const photo = (name: string) => readFileSync(join(__dirname, 'fixtures', 'photos', name));

interface Warning {
  code: string;
  message: string;
  ticketIds?: string[];
}

describe('evidence checks against 纸面销号', () => {
  // 10:00 on 10 November 2026 in Shanghai; the phone photos were taken on 20 and 21 November.
  const clock = new FakeClock('2026-11-10T02:00:00Z');
  let t: TestApp;
  let inspector: string;
  const teams: Record<string, string> = {};
  const villages: Record<string, string> = {};

  beforeAll(async () => {
    t = await startTestApp({ clock });
    inspector = await t.login('zc_inspector');
    teams.v1 = await t.login('zc_team1');
    teams.v2 = await t.login('zc_team2');
    villages.v1 = await unitId(t, '中厂镇第一社区');
    villages.v2 = await unitId(t, '中厂镇第二社区');
  });
  afterAll(() => t.close());

  async function raise(village: 'v1' | 'v2', title: string): Promise<{ id: string; code: string }> {
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title, unitId: villages[village], deadline: '2026-12-20', responsible: '张三', measures: '督促整改' });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body;
  }

  async function upload(village: 'v1' | 'v2', ticketId: string, data: Buffer, name: string) {
    const res = await t.http().post(`/api/v1/issues/${ticketId}/evidence`).set(bearer(teams[village])).attach('file', data, name);
    expect(res.status).toBe(201);
    return res.body as { id: string; sha256: string; exif?: Record<string, unknown>; warnings: Warning[] };
  }

  const codes = (w: Warning[]) => w.map((x) => x.code);

  it('flags the same photo on a ticket of another village, names that ticket, and keeps the warning', async () => {
    const first = await raise('v1', '王某某户危房改造屋面未完工');
    const second = await raise('v2', '李某某户危房改造墙体开裂未修缮');
    const a = await upload('v1', first.id, photo('house-after.jpg'), 'IMG_20261120_101500.jpg');
    expect(a.warnings).toEqual([]);
    expect(a.exif).toEqual({
      takenAt: '2026-11-20T02:15:00.000Z',
      lat: expect.closeTo(29.99, 4),
      lon: expect.closeTo(109.48, 4),
      device: 'HUAWEI Mate 60',
    });

    const b = await upload('v2', second.id, photo('house-after.jpg'), '微信图片_20261121.jpg');
    expect(b.sha256).toBe(a.sha256);
    expect(codes(b.warnings)).toEqual(['duplicate']);
    expect(b.warnings[0].ticketIds).toEqual([first.id]);
    expect(b.warnings[0].message).toContain(first.code);
    expect(b.warnings[0].message).toContain('中厂镇第一社区');

    const list = await t.http().get(`/api/v1/issues/${second.id}/evidence`).set(bearer(teams.v2));
    expect(list.status).toBe(200);
    expect(list.body[0]).toMatchObject({ id: b.id, exif: { device: 'HUAWEI Mate 60' }, warnings: b.warnings });
    const history = await t.http().get(`/api/v1/issues/${second.id}/history`).set(bearer(teams.v2));
    const added = history.body.find((h: { kind: string }) => h.kind === 'evidence_added');
    expect(added.data.warnings).toEqual(b.warnings);
  });

  it('flags the resized, re-encoded copy as a near duplicate, and not an unrelated picture', async () => {
    const original = await raise('v1', '张某某户厕所改造未完成');
    const other = await raise('v2', '刘某某户厕所改造验收资料缺失');
    await upload('v1', original.id, photo('house-after.jpg'), 'IMG_1.jpg');
    const copy = await upload('v2', other.id, photo('house-after-forwarded.jpg'), 'mmexport1700000000.jpg');
    expect(codes(copy.warnings)).toEqual(['near_duplicate']);
    expect(copy.warnings[0].ticketIds).toContain(original.id);
    expect(copy.warnings[0].message).toContain(original.code);

    const fresh = await raise('v2', '某组通组道路边沟堵塞');
    const field = await upload('v2', fresh.id, photo('field.jpg'), 'IMG_2.jpg');
    expect(field.warnings).toEqual([]);
  });

  it('says when a picture has no capture time, or was taken before the ticket, and accepts it anyway', async () => {
    const ticket = await raise('v1', '村委会公示栏信息未更新');
    const shot = await upload('v1', ticket.id, photo('screenshot.png'), 'Screenshot_20261121.png');
    expect(codes(shot.warnings)).toEqual(['no_capture_time']);
    expect(shot.exif).toEqual({});

    const old = await upload('v1', ticket.id, photo('house-last-year.jpg'), 'IMG_20250602.jpg');
    expect(codes(old.warnings)).toContain('taken_before_ticket');
    expect(old.exif?.takenAt).toBe('2025-06-02T08:40:00.000Z');

    const pdf = await upload('v1', ticket.id, PDF, '验收单.pdf');
    expect(pdf.warnings).toEqual([]);
    const list = await t.http().get(`/api/v1/issues/${ticket.id}/evidence`).set(bearer(teams.v1));
    const byId = Object.fromEntries(list.body.map((e: { id: string; warnings: Warning[] }) => [e.id, codes(e.warnings)]));
    expect(byId).toEqual({ [shot.id]: ['no_capture_time'], [old.id]: codes(old.warnings), [pdf.id]: [] });
  });
});
