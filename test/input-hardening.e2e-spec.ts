import { JwtService } from '@nestjs/jwt';
import fc from 'fast-check';
import { DataSource } from 'typeorm';
import { bearer, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

const JWT_SECRET = 'a-test-signing-key-of-at-least-32-characters';

interface OpenApiOperation {
  parameters?: Array<{ name: string; in: string; schema?: { enum?: unknown[]; type?: string } }>;
  requestBody?: { content: Record<string, { schema?: { $ref?: string } }> };
}
interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
}

/** Every table of the schema with its row count: what a refused request must leave as it was. */
async function tableCounts(db: DataSource): Promise<Record<string, number>> {
  const tables: Array<{ name: string }> = await db.query(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'migrations' ORDER BY 1`,
  );
  const sql = tables.map((t) => `SELECT '${t.name}' AS name, count(*)::int AS n FROM "${t.name}"`).join(' UNION ALL ');
  const rows: Array<{ name: string; n: number }> = await db.query(sql);
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

describe('hostile and careless input', () => {
  let t: TestApp;
  let admin: string;
  let leader: string;
  let township: string;
  let village: string;
  const db = () => t.app.get(DataSource);

  beforeAll(async () => {
    t = await startTestApp({ env: { JWT_SECRET } });
    admin = await t.login('admin');
    leader = await t.login('zc_leader');
    township = await unitId(t, '中厂镇');
    village = await unitId(t, '中厂镇第一社区');
  });
  afterAll(() => t.close());

  const raise = (patch: Record<string, unknown>) =>
    t
      .http()
      .post('/api/v1/issues')
      .set(bearer(admin))
      .send({ title: '危房改造未完成', unitId: village, deadline: '2026-12-20', ...patch });

  it.each([
    ['a NUL in the title', { title: '危房\u0000改造' }, 'title', /NUL/],
    ['a NUL in the description', { description: '说明\u0000' }, 'description', /NUL/],
    ['a lone high surrogate in the title', { title: '危房\ud800' }, 'title', /surrogate/],
    ['a lone low surrogate in a list', { unitIds: ['\udc00'] }, 'unitIds.0', /surrogate/],
  ])('%s is a 400 naming the field, and nothing is written', async (_what, patch, field, message) => {
    const before = await tableCounts(db());
    const res = await raise(patch);
    expect(res.status).toBe(400);
    expect(res.body.details.fields).toEqual([{ field, messages: [expect.stringMatching(message)] }]);
    expect(await tableCounts(db())).toEqual(before);
  });

  it('a paired surrogate (an emoji, a rare 汉字 outside the BMP) is ordinary text', async () => {
    const res = await raise({ title: '𠀀村道路 🚧 未修复' });
    expect(res.status).toBe(201);
    expect(res.body.title).toBe('𠀀村道路 🚧 未修复');
  });

  it('a NUL in the login username or in q= is a 400 naming it', async () => {
    const login = await t.http().post('/api/v1/auth/login').send({ username: 'admin\u0000', password: 'x' });
    expect(login.status).toBe(400);
    expect(login.body.details.fields[0].field).toBe('username');
    const list = await t.http().get('/api/v1/issues?q=%00危房').set(bearer(admin));
    expect(list.status).toBe(400);
    expect(list.body.details.fields[0].field).toBe('q');
  });

  it('JSON nested 5,000 levels is a 400; a body over the limit is a 413', async () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const res = await t.http().post('/api/v1/issues').set(bearer(admin)).set('content-type', 'application/json').send(`{"title":${deep}}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/nest deeper/);
    const big = await raise({ description: 'x'.repeat(3 * 1024 * 1024) });
    expect(big.status).toBe(413);
    expect(big.body.statusCode).toBe(413);
  });

  it.each(['9999-12', '1900-01', '2101-01'])('running a step for %s is a 400 and leaves no run behind', async (period) => {
    const before = await tableCounts(db());
    const res = await t.http().post(`/api/v1/cycles/${period}/steps/review/run?unitId=${township}`).set(bearer(leader));
    expect(res.status).toBe(400);
    expect(res.body.details.fields[0].field).toBe('period');
    expect(await tableCounts(db())).toEqual(before);
  });

  it('running a step for a well-formed month that has not begun is a 409 and leaves no run behind', async () => {
    const before = await tableCounts(db());
    const res = await t.http().post(`/api/v1/cycles/2099-01/steps/dispatch/run?unitId=${township}`).set(bearer(leader));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ statusCode: 409, details: { period: '2099-01' } });
    expect(res.body.message).toMatch(/2099-01 has not begun in Asia\/Shanghai/);
    expect(await tableCounts(db())).toEqual(before);
  });

  it('periods outside 2000-2100 are refused wherever a period is asked for', async () => {
    for (const url of [`/api/v1/cycles?unitId=${township}&period=9999-12`, `/api/v1/rankings?unitId=${township}&period=1900-01`]) {
      const res = await t.http().get(url).set(bearer(leader));
      expect(res.status).toBe(400);
    }
  });

  it('a signed token whose subject is not a UUID, or that never expires, is a 401', async () => {
    const jwt = new JwtService({ secret: JWT_SECRET });
    const [{ id }] = await db().query(`SELECT id FROM app_user WHERE username = 'admin'`);
    const tokens = [
      jwt.sign({ sub: "admin' OR 1=1 --", ver: 0 }, { expiresIn: 600 }),
      jwt.sign({ sub: 42, ver: 0 }, { expiresIn: 600 }),
      jwt.sign({ sub: id, ver: 0 }),
    ];
    for (const token of tokens) {
      const res = await t.http().get('/api/v1/auth/me').set(bearer(token));
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('Unauthorized');
    }
  });

  describe('generated input on every route', () => {
    let doc: OpenApiDocument;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      doc = (await t.http().get('/api/docs-json')).body as OpenApiDocument;
      const pick = async (sql: string) => (await db().query<Array<{ id: string }>>(sql))[0]?.id;
      ids.unit = village;
      ids.township = township;
      ids.issue = (await raise({})).body.id as string;
      ids.user = await pick(`SELECT id FROM app_user WHERE username = 'zc_team1'`);
      ids.inspection = await pick(`SELECT id FROM inspection LIMIT 1`);
    });

    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'grapheme', maxLength: 40 }),
      fc.constantFrom('\u0000', '\ud800', 'NaN', '-1', '1e309', '9999-99', '2026-13', '../../etc/passwd', "' OR 1=1 --", '<script>'),
    );
    const scalar = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.bigInt().map(String));
    const value = fc.letrec((tie) => ({
      any: fc.oneof(
        { depthSize: 'small' },
        scalar,
        fc.array(tie('any'), { maxLength: 3 }),
        fc.dictionary(fc.string({ maxLength: 6 }), tie('any'), { maxKeys: 3 }),
      ),
    })).any;

    function idFor(path: string, name: string): fc.Arbitrary<string> {
      const real = path.startsWith('/api/v1/issues')
        ? ids.issue
        : path.startsWith('/api/v1/users')
          ? ids.user
          : path.startsWith('/api/v1/inspections')
            ? ids.inspection
            : path.startsWith('/api/v1/units')
              ? ids.township
              : ids.unit;
      return fc.oneof(
        fc.constant(real ?? ids.unit),
        fc.uuid(),
        text.map((s) => encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8')) || name),
      );
    }

    function propertiesOf(op: OpenApiOperation): string[] {
      const ref = Object.values(op.requestBody?.content ?? {})[0]?.schema?.$ref;
      const schema = ref ? doc.components.schemas[ref.split('/').pop()!] : undefined;
      return Object.keys(schema?.properties ?? {});
    }

    it('never answers 5xx, and a refusal writes nothing', async () => {
      const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
        Object.entries(methods).map(([method, op]) => ({ path, method, op })),
      );
      expect(operations.length).toBeGreaterThan(50);
      const failures: string[] = [];
      for (const { path, method, op } of operations) {
        const params = (op.parameters ?? []).filter((p) => p.in === 'path');
        const queries = (op.parameters ?? []).filter((p) => p.in === 'query');
        const props = propertiesOf(op);
        const request = fc.record({
          path: fc.tuple(...params.map((p) => idFor(path, p.name))),
          query: fc.tuple(
            ...queries.map((q) => fc.option(q.schema?.enum ? fc.oneof(fc.constantFrom(...q.schema.enum.map(String)), text) : text)),
          ),
          body: fc.oneof(fc.record(Object.fromEntries(props.map((p) => [p, value])), { requiredKeys: [] }), value),
        });
        await fc.assert(
          fc.asyncProperty(request, async (r) => {
            let url = path;
            params.forEach((p, i) => (url = url.replace(`{${p.name}}`, r.path[i])));
            const search = new URLSearchParams();
            queries.forEach((q, i) => {
              const v = r.query[i];
              if (v !== null) search.append(q.name, v);
            });
            const qs = search.toString();
            const before = await tableCounts(db());
            let req = t
              .http()
              [method as 'get'](`${url}${qs ? `?${qs}` : ''}`)
              .set(bearer(admin));
            if (method !== 'get' && method !== 'delete') req = req.set('content-type', 'application/json').send(JSON.stringify(r.body));
            const res = await req;
            if (res.status >= 500)
              failures.push(`${method.toUpperCase()} ${url}?${qs} ${JSON.stringify(r.body).slice(0, 200)} → ${res.status}`);
            else if (res.status >= 400) {
              const after = await tableCounts(db());
              if (JSON.stringify(after) !== JSON.stringify(before))
                failures.push(`${method.toUpperCase()} ${url} → ${res.status} but the database changed`);
            }
          }),
          // 8 cases per operation: about 10 s on two cores for the ~65 operations.
          { numRuns: 8, seed: 20261201 },
        );
      }
      expect(failures).toEqual([]);
    }, 120_000);
  });
});
