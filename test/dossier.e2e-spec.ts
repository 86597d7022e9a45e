import { FakeClock } from '@app/platform';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as yauzl from 'yauzl';
import { bearer, unitId } from './support/fixtures';
import { binary, pdfText } from './support/downloads';
import { startTestApp, TestApp } from './support/test-app';

const photo = (name: string) => readFileSync(join(__dirname, 'fixtures', 'photos', name));

/** The entries of a zip, name → bytes. */
function unzip(body: Buffer): Promise<Map<string, Buffer>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(body, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('no zip'));
      const out = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error('no stream'));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** The 整改档案 of a closed ticket: what an inspector is handed, as HTML, PDF and zip. */
describe('the ticket dossier', () => {
  const clock = new FakeClock('2026-11-20T02:00:00Z');
  let t: TestApp;
  let inspector: string;
  let team1: string;
  let ticket: { id: string; code: string };

  beforeAll(async () => {
    t = await startTestApp({ clock });
    inspector = await t.login('zc_inspector');
    team1 = await t.login('zc_team1');
    const v1 = await unitId(t, '中厂镇第一社区');
    const created = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title: '2户危房改造未按期完成', unitId: v1, deadline: '2026-12-20', responsible: '张三', measures: '督促施工队12月前完工' });
    ticket = created.body;
    const act = (token: string, body: Record<string, unknown>) =>
      t.http().post(`/api/v1/issues/${ticket.id}/transitions`).set(bearer(token)).send(body);
    await act(team1, { action: 'start', comment: '已联系施工队' });
    const after = await t
      .http()
      .post(`/api/v1/issues/${ticket.id}/evidence`)
      .set(bearer(team1))
      .attach('file', photo('house-after.jpg'), '整改后.jpg');
    clock.advance(60_000);
    const shot = await t
      .http()
      .post(`/api/v1/issues/${ticket.id}/evidence`)
      .set(bearer(team1))
      .attach('file', photo('screenshot.png'), '截图.png');
    expect([after.status, shot.status]).toEqual([201, 201]);
    expect((await act(team1, { action: 'submit', comment: '两户均已完工', evidenceIds: [after.body.id, shot.body.id] })).status).toBe(200);
    expect((await act(inspector, { action: 'approve', comment: '经现场核查，整改到位' })).status).toBe(200);
  });
  afterAll(() => t.close());

  const dossier = (format: string, token = team1) =>
    t.http().get(`/api/v1/issues/${ticket.id}/dossier?format=${format}`).set(bearer(token)).buffer(true).parse(binary);

  it('lays out the ticket, its history, its evidence with checks and EXIF, the verifier and the chain head', async () => {
    const res = await dossier('html');
    expect(res.status).toBe(200);
    const html = (res.body as Buffer).toString('utf8');
    const head = (await t.http().get(`/api/v1/issues/${ticket.id}/history/verify`).set(bearer(team1))).body.head as string;
    expect(html).toContain(`${ticket.code}问题整改档案`);
    expect(html).toContain('2户危房改造未按期完成');
    for (const step of ['问题立项', '开始整改', '上传佐证材料', '提交销号申请', '核验通过，予以销号']) expect(html).toContain(step);
    expect(html).toContain('整改后.jpg');
    expect(html).toMatch(/<img class="thumb" src="data:image\/jpeg;base64,/);
    expect(html).toContain('无拍摄时间');
    expect(html).toMatch(/拍摄：2026-11-\d\d \d\d:\d\d/);
    expect(html).toContain('经现场核查，整改到位');
    expect(html).toContain(head);
    expect(html).toContain('经哈希链校验完整');
  });

  it('prints as a PDF', async () => {
    const res = await dossier('pdf');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const text = pdfText(res.body as Buffer);
    expect(text).toContain('整改档案');
    expect(text).toContain('核验销号');
  });

  it('zips the PDF with the original files, byte for byte', async () => {
    const res = await dossier('zip');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/zip');
    const entries = await unzip(res.body as Buffer);
    expect([...entries.keys()]).toEqual([`${ticket.code}问题整改档案.pdf`, '佐证材料/01-整改后.jpg', '佐证材料/02-截图.png']);
    expect(entries.get('佐证材料/01-整改后.jpg')!.equals(photo('house-after.jpg'))).toBe(true);
    expect(entries.get('佐证材料/02-截图.png')!.equals(photo('screenshot.png'))).toBe(true);
    expect(entries.get(`${ticket.code}问题整改档案.pdf`)!.subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('refuses a format it does not know, and a ticket outside the caller’s scope', async () => {
    expect((await dossier('docx')).status).toBe(400);
    expect((await dossier('zip', await t.login('cmy_team'))).status).toBe(404);
  });
});
