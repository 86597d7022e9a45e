import Ajv from 'ajv';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bearer, raiseTicket, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

type Schema = { $ref?: string; type?: string; format?: string; properties?: Record<string, Schema>; allOf?: Schema[]; items?: Schema };
interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  security?: unknown[];
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}
type Paths = Record<string, Record<string, Operation>>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** API.md, the HTTP contract, kept with the code in `docs/`. */
function apiMd(): string {
  return readFileSync(join(__dirname, '..', 'docs', 'API.md'), 'utf8');
}

interface ContractRoute {
  method: string;
  /** As OpenAPI writes it: /api/v1/issues/{id}. */
  path: string;
  /** The bullet of API.md that names it. */
  text: string;
}

/**
 * Every route API.md names, as `METHOD /path` in backticks, including the short forms after a
 * route (`GET /documents/:id/html`, `.../xlsx`).
 */
function contractRoutes(md: string): ContractRoute[] {
  const routes: ContractRoute[] = [];
  const bullets = md.split(/\n(?=- |\n|#)/);
  for (const bullet of bullets) {
    let last: { method: string; path: string } | undefined;
    for (const m of bullet.matchAll(/`(?:(GET|POST|PUT|PATCH|DELETE) )?((?:\.\.\.)?\/[^`?\s]*)[^`]*`/g)) {
      let method = m[1];
      let path = m[2];
      if (path.startsWith('...')) {
        if (!last) continue;
        method ??= last.method;
        path = `${dirname(last.path)}${path.slice(3)}`;
      }
      if (!method) continue;
      last = { method, path };
      routes.push({ method: method.toLowerCase(), path: `/api/v1${path.replace(/:(\w+)/g, '{$1}')}`, text: bullet });
    }
  }
  const seen = new Set<string>();
  return routes.filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`));
}

/**
 * Routes API.md names that the service does not serve yet: listed so that this test notices
 * when they arrive (and then checks them like every other route).
 */
const NOT_SERVED: string[] = [];

const PUBLIC = new Set(['post /api/v1/auth/login', 'get /api/v1/health', 'get /api/v1/health/ready']);

/** The error statuses API.md's rules give a route: what every client must be ready for. */
function expectedErrors(route: ContractRoute, op: Operation): number[] {
  const key = `${route.method} ${route.path}`;
  const statuses = new Set<number>([429]);
  if (!PUBLIC.has(key)) statuses.add(401);
  if (op.parameters?.length || op.requestBody) statuses.add(400);
  if (route.path.includes('{')) statuses.add(404);
  if (/multipart/.test(route.text) && route.text.includes(route.path.replace('/api/v1', '').replace(/\{(\w+)\}/g, ':$1'))) {
    statuses.add(413).add(415);
  }
  if (/\/import$/.test(route.path)) statuses.add(422);
  if (route.path.endsWith('/transitions') || (route.method === 'patch' && route.path.startsWith('/api/v1/issues'))) {
    statuses.add(403).add(409);
  }
  if (route.method !== 'get' && !PUBLIC.has(key) && !route.path.startsWith('/api/v1/auth')) statuses.add(403);
  return [...statuses].sort();
}

function successOf(op: Operation): [string, { content?: Record<string, { schema?: Schema }> }] | undefined {
  return Object.entries(op.responses).find(([status]) => /^2\d\d$/.test(status));
}

describe('the OpenAPI document', () => {
  let t: TestApp;
  let paths: Paths;
  let schemas: Record<string, Schema>;
  let doc: { components: unknown };

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http().get('/api/docs-json');
    expect(res.status).toBe(200);
    paths = res.body.paths as Paths;
    schemas = res.body.components.schemas as Record<string, Schema>;
    doc = res.body as { components: unknown };
  });
  afterAll(() => t.close());

  const operations = () =>
    Object.entries(paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m]) => METHODS.includes(m))
        .map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, path, method, op })),
    );

  it('describes the error shape of API.md', () => {
    expect(schemas.ErrorBody).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['statusCode', 'error', 'message']),
      properties: { statusCode: { type: 'number' }, error: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
    });
  });

  it('gives every operation a success answer with its schema (or none for 204), every schema it names defined', () => {
    const problems: string[] = [];
    const refs = (s: Schema | undefined): string[] =>
      !s ? [] : [s.$ref ?? '', ...(s.allOf ?? []).flatMap(refs), ...refs(s.items), ...Object.values(s.properties ?? {}).flatMap(refs)];
    for (const { key, op } of operations()) {
      const success = successOf(op);
      if (!success) {
        problems.push(`${key}: no 2xx answer`);
        continue;
      }
      const [status, answer] = success;
      if (status === '204') continue;
      const contents = Object.values(answer.content ?? {});
      if (!contents.length || contents.some((c) => !c.schema)) problems.push(`${key}: ${status} has no schema`);
      for (const c of contents) {
        for (const ref of refs(c.schema).filter(Boolean)) {
          if (!schemas[ref.replace('#/components/schemas/', '')]) problems.push(`${key}: ${ref} is not defined`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every operation its error answers with the error shape: 429 everywhere, 401 behind a token', () => {
    const problems: string[] = [];
    for (const { key, op } of operations()) {
      const errors = Object.entries(op.responses).filter(([status]) => /^[45]\d\d$/.test(status));
      if (!op.responses['429']) problems.push(`${key}: no 429`);
      if (op.security?.length && !op.responses['401']) problems.push(`${key}: no 401`);
      for (const [status, answer] of errors) {
        const schema = answer.content?.['application/json']?.schema;
        if (schema?.$ref !== '#/components/schemas/ErrorBody') problems.push(`${key}: ${status} is not the error shape`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes every upload as a multipart body with a binary file field', () => {
    const uploads = operations().filter(({ op }) => op.requestBody?.content['multipart/form-data']);
    expect(uploads.map((u) => u.key).sort()).toEqual(
      expect.arrayContaining([
        'POST /api/v1/inspections/{id}/findings/import',
        'POST /api/v1/issues/{id}/evidence',
        'POST /api/v1/campaigns/{id}/households/import',
        'POST /api/v1/org-units/import',
      ]),
    );
    for (const { key, op } of uploads) {
      const schema = op.requestBody!.content['multipart/form-data'].schema;
      expect([key, schema.properties?.file]).toEqual([key, { type: 'string', format: 'binary' }]);
      expect([key, Object.keys(op.responses).filter((s) => s === '413' || s === '415')]).toEqual([key, ['413', '415']]);
    }
  });

  it('has every route of API.md with its method, its error statuses and a response schema', () => {
    const routes = contractRoutes(apiMd());
    expect(routes.length).toBeGreaterThan(30);
    const problems: string[] = [];
    for (const route of routes) {
      const key = `${route.method.toUpperCase()} ${route.path}`;
      const op = paths[route.path]?.[route.method];
      if (NOT_SERVED.includes(key)) {
        if (op) problems.push(`${key}: served now; remove it from NOT_SERVED`);
        continue;
      }
      if (!op) {
        problems.push(`${key}: missing`);
        continue;
      }
      const missing = expectedErrors(route, op).filter((s) => !op.responses[String(s)]);
      if (missing.length) problems.push(`${key}: does not document ${missing.join(', ')}`);
      const success = successOf(op);
      if (!success || (success[0] !== '204' && !Object.values(success[1].content ?? {}).some((c) => c.schema))) {
        problems.push(`${key}: no response schema`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('reads the routes of API.md as written, short forms included', () => {
    const routes = contractRoutes(
      '- `GET /documents?unitId=`, `GET /documents/:id`, and its renderings\n  `GET /documents/:id/html`, `.../xlsx`, `.../pdf` where\n- `POST /cycles/:period/steps/:step/run?unitId=` runs',
    ).map((r) => `${r.method} ${r.path}`);
    expect(routes).toEqual([
      'get /api/v1/documents',
      'get /api/v1/documents/{id}',
      'get /api/v1/documents/{id}/html',
      'get /api/v1/documents/{id}/xlsx',
      'get /api/v1/documents/{id}/pdf',
      'post /api/v1/cycles/{period}/steps/{step}/run',
    ]);
  });

  it('describes what the routes really answer: each answer validates against its documented schema', async () => {
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const admin = await t.login('admin');
    const township = await unitId(t, '中厂镇');
    const village = await unitId(t, '中厂镇第一社区');
    const ticket = await raiseTicket(t, admin, { title: '路灯损坏', unitId: village, deadline: '2031-06-30' });
    const calls: Array<[string, string, string]> = [
      ['get', '/api/v1/auth/me', '/api/v1/auth/me'],
      ['get', '/api/v1/org-units', '/api/v1/org-units?pageSize=5'],
      ['get', '/api/v1/org-units/{id}', `/api/v1/org-units/${village}`],
      ['get', '/api/v1/users', '/api/v1/users?pageSize=5'],
      ['get', '/api/v1/issues', `/api/v1/issues?unitId=${township}&subtree=true`],
      ['get', '/api/v1/issues/{id}', `/api/v1/issues/${ticket}`],
      ['get', '/api/v1/issues/{id}/history', `/api/v1/issues/${ticket}/history`],
      ['get', '/api/v1/issues/counts', `/api/v1/issues/counts?unitId=${township}`],
      ['get', '/api/v1/cycles', `/api/v1/cycles?unitId=${township}&period=2026-07`],
      ['get', '/api/v1/units/{id}/calendar', `/api/v1/units/${township}/calendar`],
      ['get', '/api/v1/units/{id}/webhook', `/api/v1/units/${township}/webhook`],
      ['get', '/api/v1/units/{id}/webhook/deliveries', `/api/v1/units/${township}/webhook/deliveries`],
      ['get', '/api/v1/notifications', '/api/v1/notifications'],
      ['get', '/api/v1/accountability', `/api/v1/accountability?unitId=${township}`],
      ['get', '/api/v1/rankings', `/api/v1/rankings?unitId=${township}&period=2026-07`],
      ['get', '/api/v1/task-lists', `/api/v1/task-lists?unitId=${township}`],
      ['get', '/api/v1/tasks', `/api/v1/tasks?unitId=${village}`],
      ['get', '/api/v1/inspections', '/api/v1/inspections'],
      ['get', '/api/v1/self-checks', `/api/v1/self-checks?unitId=${village}`],
      ['get', '/api/v1/self-checks/checklist', '/api/v1/self-checks/checklist'],
      ['get', '/api/v1/ticket-categories', '/api/v1/ticket-categories'],
      ['get', '/api/v1/health', '/api/v1/health'],
      ['get', '/api/v1/health/ready', '/api/v1/health/ready'],
    ];
    const problems: string[] = [];
    for (const [method, template, url] of calls) {
      const res = await t.http().get(url).set(bearer(admin));
      const op = paths[template][method];
      const answer = op.responses[String(res.status)];
      const schema = answer?.content?.['application/json']?.schema;
      if (!schema) {
        problems.push(`${method.toUpperCase()} ${url}: ${res.status} is not documented with a schema`);
        continue;
      }
      const validate = ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')));
      if (!validate(res.body)) problems.push(`${method.toUpperCase()} ${url}: ${ajv.errorsText(validate.errors)}`);
    }
    expect(problems).toEqual([]);
  });

  it('documents a real error answer: it validates against the error shape', async () => {
    const ajv = new Ajv({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'doc', components: doc.components });
    const validate = ajv.compile({ $ref: 'doc#/components/schemas/ErrorBody' });
    const admin = await t.login('admin');
    for (const res of [
      await t.http().get('/api/v1/issues/00000000-0000-4000-8000-000000000000').set(bearer(admin)),
      await t.http().get('/api/v1/issues?pageSize=9999').set(bearer(admin)),
      await t.http().get('/api/v1/auth/me'),
    ]) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect([res.status, validate(res.body)]).toEqual([res.status, true]);
    }
  });
});
