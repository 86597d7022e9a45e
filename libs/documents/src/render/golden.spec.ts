import { loadConfig } from '@app/platform';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_DIR, goldenDocuments } from './golden';
import { TemplateRegistry } from './template-registry';

/** Fixture in, exact HTML out; after a deliberate change, `npm run golden:update` and review the diff. */
describe('golden documents', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rt-golden-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const golden = join(__dirname, '..', '..', '..', '..', GOLDEN_DIR);
  const rendered = goldenDocuments(new TemplateRegistry(loadConfig({ CONFIG_DIR: dir })));

  it.each(rendered.map((r) => [r.file, r.html]))('%s renders exactly as its golden file', (file, html) => {
    expect(html).toBe(readFileSync(join(golden, file), 'utf8'));
  });

  it('has a golden file for every template and no other', () => {
    expect(readdirSync(golden).sort()).toEqual(rendered.map((r) => r.file).sort());
  });
});
