import { bearer, PDF, PNG, raiseTicket, unitId, xlsx } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

// A PDF that runs JavaScript when opened, as an attacker would attach it.
const PDF_WITH_SCRIPT = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/OpenAction 2 0 R>>endobj\n2 0 obj<</S/JavaScript/JS(app.alert(document.cookie))>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

describe('security headers and served files', () => {
  let t: TestApp;
  let team: string;
  let ticket: string;

  beforeAll(async () => {
    t = await startTestApp();
    team = await t.login('zc_team1');
    const inspector = await t.login('zc_inspector');
    ticket = await raiseTicket(t, inspector, {
      title: '道路破损未修复',
      unitId: await unitId(t, '中厂镇第一社区'),
      deadline: '2026-12-31',
    });
  });
  afterAll(() => t.close());

  function expectSecurityHeaders(headers: Record<string, string | undefined>): void {
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toMatch(/^(DENY|SAMEORIGIN)$/);
    expect(['no-referrer', 'same-origin']).toContain(headers['referrer-policy']);
    expect(headers['content-security-policy']).toEqual(expect.any(String));
  }

  it.each(['/login', '/api/v1/health', '/api/v1/auth/me', '/nowhere', '/api/docs'])('%s carries the security headers', async (url) => {
    const res = await t.http().get(url);
    expectSecurityHeaders(res.headers);
  });

  it('the console’s policy lets only its own scripts run, and keeps the page working', async () => {
    const res = await t.http().get('/login');
    expect(res.status).toBe(200);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    // No inline script on the page that the policy would block.
    // Every script is a file of the console's own; a JSON data block is not run.
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)(?![^>]*type="application\/json")[^>]*>/);
    expect(res.text).toMatch(/<script type="application\/json" id="rt-text">/);
    expect((await t.http().get(res.text.match(/\/assets\/htmx\.min\.js[^"]*/)![0])).status).toBe(200);
  });

  async function upload(file: Buffer, name: string): Promise<string> {
    const res = await t.http().post(`/api/v1/issues/${ticket}/evidence`).set(bearer(team)).attach('file', file, name);
    expect(res.status).toBe(201);
    return res.body.id as string;
  }

  it.each([
    ['a photo', PNG, 'photo.png', 'image/png'],
    ['a PDF', PDF, 'scan.pdf', 'application/pdf'],
    ['a PDF with JavaScript', PDF_WITH_SCRIPT, '通知.pdf', 'application/pdf'],
  ])('%s opens in the browser, sandboxed and never sniffed', async (_what, file, name, type) => {
    const id = await upload(file, name);
    for (const url of [`/api/v1/issues/${ticket}/evidence/${id}`]) {
      const res = await t.http().get(url).set(bearer(team));
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe(type);
      expect(res.headers['content-disposition']).toMatch(/^inline;/);
      expect(res.headers['content-security-policy']).toBe('sandbox');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('a spreadsheet is downloaded as an attachment under its Chinese name', async () => {
    const id = await upload(
      await xlsx([
        ['户主', '村'],
        ['张三', '第一社区'],
      ]),
      '走访台账.xlsx',
    );
    const res = await t.http().get(`/api/v1/issues/${ticket}/evidence/${id}`).set(bearer(team));
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="[^"]*\.xlsx"; filename\*=UTF-8''%E8%B5%B0/);
    expect(res.headers['content-security-policy']).toBe('sandbox');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
  });
});
