import { ESLint } from 'eslint';
import { join } from 'node:path';
import tseslint from 'typescript-eslint';

const ROOT = join(__dirname, '..', '..');

/** Lints source text as if it were the given file of the repository, with the repository's config. */
async function lint(file: string, code: string): Promise<string[]> {
  // The architecture rules need no type information; without it a text that is not on disk lints fast.
  const eslint = new ESLint({
    cwd: ROOT,
    overrideConfig: [tseslint.configs.disableTypeChecked, { languageOptions: { parserOptions: { projectService: false } } }],
  });
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, file) });
  return result.messages
    .filter((m) => m.severity === 2 && m.ruleId !== '@typescript-eslint/switch-exhaustiveness-check')
    .map((m) => `${m.ruleId}: ${m.message}`);
}

describe('lint keeps the architecture', () => {
  it('refuses an import that points upward between libs', async () => {
    const errors = await lint(
      'libs/tickets/src/tickets/upward.ts',
      `import { CycleService } from '@app/cycles';\nexport const s = CycleService;\n`,
    );
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-imports: .*tickets sits below cycles/)]);
  });

  it('refuses a file inside another lib, by alias or by relative path', async () => {
    const byAlias = await lint(
      'libs/cycles/src/deep.ts',
      `import { TicketWriter } from '@app/tickets/tickets/ticket-writer';\nexport const w = TicketWriter;\n`,
    );
    expect(byAlias).toEqual([expect.stringMatching(/^no-restricted-imports: .*through its index/)]);
    const byPath = await lint(
      'libs/documents/src/deep.ts',
      `import { TicketFacts } from '../../tickets/src/facts/ticket-facts';\nexport const f = TicketFacts;\n`,
    );
    expect(byPath).toEqual([expect.stringMatching(/^no-restricted-imports: .*through its index/)]);
  });

  it('lets a lib use the index of a lib below it', async () => {
    expect(await lint('libs/cycles/src/ok.ts', `import { TicketService } from '@app/tickets';\nexport const s = TicketService;\n`)).toEqual(
      [],
    );
  });

  it('keeps the API from importing the worker outside its main', async () => {
    const errors = await lint(
      'apps/api/src/other.ts',
      `import { WorkerModule } from '../../worker/src/worker.module';\nexport const m = WorkerModule;\n`,
    );
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-imports: .*--with-worker/)]);
  });

  it('refuses a service past 300 lines of code', async () => {
    const body = Array.from({ length: 301 }, (_, i) => `export const v${i} = ${i};`).join('\n');
    expect(await lint('libs/org/src/units/long.service.ts', `${body}\n`)).toEqual([expect.stringMatching(/^max-lines: /)]);
  });
});
