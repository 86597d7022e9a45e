import { FakeClock } from '@app/platform';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bearer, PDF, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

const photo = (name: string) => readFileSync(join(__dirname, 'fixtures', 'photos', name));

/**
 * A phone sends a photo's capture time and place beside it (read before compressing): they stand
 * in for what the file lacks, marked as the phone's, and the file's own EXIF always wins.
 */
describe('evidence with the capture time and place the phone reported', () => {
  // 10:00 on 22 November 2026 in Shanghai.
  const clock = new FakeClock('2026-11-22T02:00:00Z');
  let t: TestApp;
  let team: string;
  let ticket: string;

  beforeAll(async () => {
    t = await startTestApp({ clock });
    team = await t.login('zc_team1');
    const inspector = await t.login('zc_inspector');
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({
        title: '水渠护坡垮塌',
        unitId: await unitId(t, '中厂镇第一社区'),
        deadline: '2026-12-20',
        responsible: '张三',
        measures: '修复',
      });
    expect(res.status).toBe(201);
    ticket = res.body.id;
  });
  afterAll(() => t.close());

  const upload = (file: Buffer, name: string, fields: Record<string, string>, fieldsFirst = true) => {
    const req = t.http().post(`/api/v1/issues/${ticket}/evidence`).set(bearer(team));
    if (!fieldsFirst) req.attach('file', file, name);
    for (const [k, v] of Object.entries(fields)) req.field(k, v);
    if (fieldsFirst) req.attach('file', file, name);
    return req;
  };
  const codes = (w: Array<{ code: string }>) => w.map((x) => x.code);

  it('uses the reported time and place for a photo without EXIF, marks them as the phone’s, and the checks read them', async () => {
    const res = await upload(photo('screenshot.png'), 'IMG_compressed.png', {
      takenAt: '2026-11-22T09:45:00+08:00',
      lat: '26.58',
      lon: '106.7',
    });
    expect(res.status).toBe(201);
    expect(res.body.exif).toEqual({ takenAt: '2026-11-22T01:45:00.000Z', lat: 26.58, lon: 106.7, fromClient: ['takenAt', 'location'] });
    expect(codes(res.body.warnings)).not.toContain('no_capture_time');
    const listed = (await t.http().get(`/api/v1/issues/${ticket}/evidence`).set(bearer(team))).body as Array<{ id: string; exif: unknown }>;
    expect(listed.find((e) => e.id === res.body.id)?.exif).toEqual(res.body.exif);
    const history = (await t.http().get(`/api/v1/issues/${ticket}/history`).set(bearer(team))).body as Array<{
      kind: string;
      data: { evidenceId?: string; exif?: unknown };
    }>;
    expect(history.find((h) => h.data?.evidenceId === res.body.id)?.data.exif).toEqual(res.body.exif);
    // The dossier says which time and place the phone reported.
    const dossier = await t.http().get(`/api/v1/issues/${ticket}/dossier?format=html`).set(bearer(team));
    expect(dossier.status).toBe(200);
    expect(dossier.text).toMatch(/拍摄：2026-11-22 09:45[^<]*（手机上报）/);
    expect(dossier.text).toContain('位置：26.58000, 106.70000（手机上报）');

    // Sent after the file, the fields count the same; a reported time before the ticket is flagged.
    const old = await upload(photo('screenshot.png'), 'IMG_old.png', { takenAt: '2026-11-01T08:00:00Z' }, false);
    expect(old.status).toBe(201);
    expect(old.body.exif).toEqual({ takenAt: '2026-11-01T08:00:00.000Z', fromClient: ['takenAt'] });
    expect(codes(old.body.warnings)).toContain('taken_before_ticket');
  });

  it('keeps a photo’s own EXIF over what the phone reported', async () => {
    const res = await upload(photo('house-after.jpg'), 'IMG_20261120_101500.jpg', {
      takenAt: '2026-11-22T09:00:00+08:00',
      lat: '10',
      lon: '10',
    });
    expect(res.status).toBe(201);
    expect(res.body.exif).toEqual({
      takenAt: '2026-11-20T02:15:00.000Z',
      lat: expect.closeTo(29.99, 4),
      lon: expect.closeTo(109.48, 4),
      device: 'HUAWEI Mate 60',
    });
  });

  it('without reported facts, a photo without EXIF is still one without a capture time', async () => {
    const res = await upload(photo('screenshot.png'), 'Screenshot.png', {});
    expect(res.status).toBe(201);
    expect(res.body.exif).toEqual({});
    expect(codes(res.body.warnings)).toContain('no_capture_time');
    // A document takes no capture facts.
    const pdf = await upload(PDF, 'plan.pdf', { takenAt: '2026-11-22T09:00:00+08:00' });
    expect(pdf.status).toBe(201);
    expect(pdf.body.exif).toBeUndefined();
  });

  it.each([
    [{ takenAt: '2026-11-23T09:00:00+08:00' }, 'takenAt', 'future'],
    [{ takenAt: '2026-11-21 09:00' }, 'takenAt', 'ISO 8601'],
    [{ takenAt: '2026-11-21T09:00:00' }, 'takenAt', 'offset'],
    [{ takenAt: '2026-02-30T09:00:00Z' }, 'takenAt', 'ISO 8601'],
    [{ lat: '91', lon: '100' }, 'lat', '-90 to 90'],
    [{ lat: '26.5', lon: '-180.5' }, 'lon', '-180 to 180'],
    [{ lat: 'north', lon: '100' }, 'lat', '-90 to 90'],
    [{ lon: '106.7' }, 'lat', 'together'],
  ])('refuses %j with 400 naming %s, storing nothing', async (fields, field, words) => {
    const before = (await t.http().get(`/api/v1/issues/${ticket}/evidence`).set(bearer(team))).body.length;
    const res = await upload(photo('screenshot.png'), 'bad.png', fields);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    const problem = (res.body.details.fields as Array<{ field: string; messages: string[] }>).find((f) => f.field === field);
    expect(problem?.messages.join(' ')).toContain(words);
    expect((await t.http().get(`/api/v1/issues/${ticket}/evidence`).set(bearer(team))).body).toHaveLength(before);
  });
});
