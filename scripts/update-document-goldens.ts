/**
 * Writes the golden HTML of every built-in document template from its fixture, for the golden
 * test (libs/documents/src/render/golden.spec.ts). Run from the repository root:
 *   npm run golden:update
 * then review the diff of libs/documents/src/render/golden/ before committing it.
 */
import { loadConfig } from '@app/platform';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_DIR, goldenDocuments } from '../libs/documents/src/render/golden';
import { TemplateRegistry } from '../libs/documents/src/render/template-registry';

const config = mkdtempSync(join(tmpdir(), 'rt-golden-'));
try {
  const out = join(process.cwd(), GOLDEN_DIR);
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(out)) if (f.endsWith('.html')) rmSync(join(out, f));
  const docs = goldenDocuments(new TemplateRegistry(loadConfig({ CONFIG_DIR: config })));
  for (const d of docs) writeFileSync(join(out, d.file), d.html);
  console.log(`wrote ${docs.length} golden files to ${GOLDEN_DIR}`);
} finally {
  rmSync(config, { recursive: true, force: true });
}
