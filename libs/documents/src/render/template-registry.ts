import { Injectable, Logger } from '@nestjs/common';
import { AppConfig, ValidationFailed } from '@app/platform';
import Handlebars from 'handlebars';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOCUMENT_KINDS, DocumentKind, Locale } from '../kinds';
import { ledgerSampleSnapshot } from '../ledger/ledger-sample';
import { HELPERS } from './helpers';
import { sampleSnapshot } from './samples';
import type { DocumentHeader, DocumentSnapshot } from './snapshot';

/** Templates of reports that are rendered on request rather than issued. */
export const REPORT_TEMPLATES = ['campaign_report', 'campaign_report.en', 'dossier'] as const;

/** The built-in templates ship beside the code (swc --copy-files puts them in dist too). */
export const BUILT_IN_TEMPLATES = join(__dirname, '..', 'templates');

const BUILT_IN_BLOCKS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'log']);

/** A template that cannot be used: the start stops with every problem, by file and line. */
export class TemplateError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid document template(s):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'TemplateError';
  }
}

interface Source {
  name: string;
  file: string;
  text: string;
}

/** The name of a kind's template in a locale: `bulletin` (Chinese) or `bulletin.en`. */
export function templateName(kind: DocumentKind, locale: Locale): string {
  return locale === 'zh' ? kind : `${kind}.${locale}`;
}

type Node = hbs.AST.Node & Record<string, unknown>;

/**
 * The document templates: the built-in ones, each replaced by a file of the same name in
 * `<CONFIG_DIR>/templates/` if a county put one there. All are parsed, checked (helpers and
 * partials they call exist) when the service starts, and rendered against sample data when a
 * county overrides any, so a broken template stops the start instead of failing a month-end issue.
 */
@Injectable()
export class TemplateRegistry {
  private readonly logger = new Logger('Templates');
  private readonly hb = Handlebars.create();
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();
  private readonly sources = new Map<string, Source>();

  constructor(config: AppConfig) {
    this.load(BUILT_IN_TEMPLATES, join(config.configDir, 'templates'));
  }

  /** Loads and checks the templates; throws a TemplateError naming every bad file and line. */
  private load(builtInDir: string, overrideDir: string): void {
    const read = (dir: string) =>
      existsSync(dir)
        ? readdirSync(dir)
            .filter((f) => f.endsWith('.hbs'))
            .sort()
            .map((f) => ({ name: f.slice(0, -4), file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }))
        : [];
    for (const s of read(builtInDir)) this.sources.set(s.name, s);
    const known = new Set([
      ...this.sources.keys(),
      ...DOCUMENT_KINDS.flatMap((k) => [templateName(k, 'zh'), templateName(k, 'en')]),
      ...REPORT_TEMPLATES,
    ]);
    const problems: string[] = [];
    const overrides = read(overrideDir);
    for (const s of overrides) {
      if (!known.has(s.name) && !s.name.startsWith('_')) {
        problems.push(`${s.file}: not a template this service knows (expected one of ${[...known].sort().join(', ')})`);
      } else this.sources.set(s.name, s);
    }
    for (const [name, fn] of Object.entries(HELPERS)) this.hb.registerHelper(name, fn);

    const partials = new Set([...this.sources.keys()].filter((n) => n.startsWith('_')));
    for (const s of this.sources.values()) {
      let ast: hbs.AST.Program;
      try {
        ast = this.hb.parse(s.text);
      } catch (e) {
        problems.push(`${s.file}: ${parseProblem(e as Error)}`);
        continue;
      }
      problems.push(...checkNames(ast, partials).map((p) => `${s.file}: ${p}`));
      if (s.name.startsWith('_')) this.hb.registerPartial(s.name, s.text);
      else this.templates.set(s.name, this.hb.compile(s.text, { strict: true, noEscape: false }));
    }
    // The built-in templates are proven by the tests; with an override (a page layout or a kind)
    // every template is rendered once against sample data, which catches what parsing cannot.
    if (!problems.length && overrides.length) {
      // The check is of the templates, not of ECharts: a placeholder chart keeps ECharts (~20 MB)
      // from loading at start; the real chart is drawn when a bulletin is issued.
      this.hb.registerHelper('closeOutChart', () => new Handlebars.SafeString('<svg></svg>'));
      for (const kind of DOCUMENT_KINDS)
        for (const locale of ['zh', 'en'] as const) {
          const s = this.sources.get(templateName(kind, locale));
          if (!s) continue;
          try {
            this.render(kind === 'ledger' ? ledgerSampleSnapshot(locale) : sampleSnapshot(kind, locale));
          } catch (e) {
            problems.push(`${s.file}: fails on sample data: ${(e as Error).message.split('\n')[0]}`);
          }
        }
      this.hb.registerHelper('closeOutChart', HELPERS.closeOutChart);
    }
    if (problems.length) throw new TemplateError(problems);
    if (overrides.length) this.logger.log(`templates from ${overrideDir}: ${overrides.map((o) => o.name).join(', ')}`);
  }

  has(kind: DocumentKind, locale: Locale): boolean {
    return this.templates.has(templateName(kind, locale));
  }

  /** Where each template in use comes from (built in, or a county's override). */
  files(): Array<{ name: string; file: string }> {
    return [...this.sources.values()].map((s) => ({ name: s.name, file: s.file }));
  }

  /** A report that is not a document of record (a campaign report), by template name. */
  renderReport(
    name: (typeof REPORT_TEMPLATES)[number],
    context: { locale: Locale; header: Partial<DocumentHeader>; data: unknown },
  ): string {
    const template = this.templates.get(name);
    if (!template) throw ValidationFailed.field('template', `there is no template ${name}`);
    return template({ kind: name.split('.')[0], ...context }, { allowProtoPropertiesByDefault: false });
  }

  render(snapshot: DocumentSnapshot): string {
    const name = templateName(snapshot.kind, snapshot.locale);
    const template = this.templates.get(name);
    if (!template) throw ValidationFailed.field('kind', `there is no ${snapshot.locale} template for ${snapshot.kind} documents`);
    return template(snapshot, { allowProtoPropertiesByDefault: false });
  }
}

/** A Handlebars parse error on one line: "line 4: Expecting …" or "line 3: each doesn't match _page". */
function parseProblem(e: Error & { lineNumber?: unknown }): string {
  const parse = /Parse error on line (\d+):?/.exec(e.message);
  if (parse) return `line ${parse[1]}: ${e.message.split('\n').filter(Boolean).pop()}`;
  const at = / - (\d+):(\d+)$/.exec(e.message);
  const line = typeof e.lineNumber === 'number' ? e.lineNumber : at ? Number(at[1]) : undefined;
  const text = e.message.replace(/ - \d+:\d+$/, '');
  return line ? `line ${line}: ${text}` : text;
}

/** Helpers and partials a template calls that do not exist, with their line. */
function checkNames(ast: hbs.AST.Program, partials: Set<string>): string[] {
  const problems: string[] = [];
  const line = (n: Node) => (n.loc as hbs.AST.SourceLocation | undefined)?.start.line ?? 0;
  const helperName = (p: unknown) => {
    const path = p as { type?: string; original?: string; data?: boolean; parts?: string[] };
    return path.type === 'PathExpression' && !path.data && path.parts?.length === 1 ? path.original : undefined;
  };
  const visit = (n: unknown): void => {
    if (!n || typeof n !== 'object') return;
    if (Array.isArray(n)) return n.forEach(visit);
    const node = n as Node;
    switch (node.type) {
      case 'Program':
        return visit(node.body);
      case 'MustacheStatement':
      case 'SubExpression':
      case 'BlockStatement': {
        const params = (node.params as unknown[]) ?? [];
        const hash = (node.hash as { pairs?: Array<{ value: unknown }> } | undefined)?.pairs ?? [];
        const name = helperName(node.path);
        const call = node.type === 'SubExpression' || params.length > 0 || hash.length > 0;
        if (call && name && !BUILT_IN_BLOCKS.has(name) && !(name in HELPERS)) problems.push(`line ${line(node)}: unknown helper "${name}"`);
        visit(params);
        visit(hash.map((h) => h.value));
        visit(node.program);
        visit(node.inverse);
        return;
      }
      case 'PartialStatement':
      case 'PartialBlockStatement': {
        const name = (node.name as { original?: string }).original;
        if (name && !name.startsWith('@') && !partials.has(name)) problems.push(`line ${line(node)}: unknown partial "${name}"`);
        visit(node.params);
        visit(node.program);
        return;
      }
      default:
        return;
    }
  };
  visit(ast);
  return problems;
}
