import { loadConfig } from '@app/platform';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '../issue/document-issuer';
import { CYCLE_DOCUMENT_KINDS } from '../kinds';
import { closeOutRateChart } from './chart';
import { sampleSnapshot } from './samples';
import { TemplateError, TemplateRegistry } from './template-registry';

describe('document templates', () => {
  const dirs: string[] = [];
  const registry = (overrides: Record<string, string> = {}) => {
    const dir = mkdtempSync(join(tmpdir(), 'rt-templates-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'templates'));
    for (const [name, text] of Object.entries(overrides)) writeFileSync(join(dir, 'templates', name), text);
    return new TemplateRegistry(loadConfig({ CONFIG_DIR: dir }));
  };
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const expected: Record<(typeof CYCLE_DOCUMENT_KINDS)[number], { zh: string[]; en: string[] }> = {
    task_list: { zh: ['中厂镇第一社区：', '入户走访', '30户', '共2项任务'], en: ['To 中厂镇第一社区:', '入户走访', '2 task(s) in all'] },
    self_check_report: {
      zh: ['一、自查情况', '部分完成', 'ZC-2026-0001', '2026年7月5日'],
      en: ['1. Findings of the self-check', 'partly done'],
    },
    rectification_list: {
      zh: ['未销号问题共2个', '缺责任人、整改时限、整改措施', '（逾期35天）'],
      en: ['2 open problem(s)', '35 days overdue'],
    },
    progress_list: { zh: ['产业到户核查', '未报送', '40%'], en: ['not filed', '产业到户核查'] },
    bulletin: {
      zh: [
        '督查通报',
        '第11期',
        '一、基本情况',
        '二、通报表扬',
        '三、通报批评',
        '四、存在问题',
        '五、下步要求',
        '排查出问题12个',
        '整改销号率97.6%',
        '<svg',
      ],
      en: ['Supervision Bulletin', '2. Praised', '3. Criticised', '<svg'],
    },
    evaluation_list: { zh: ['优秀', '较差', '表扬', '批评', '纳入年终考核'], en: ['praised', 'criticised', 'year-end assessment'] },
  };

  it.each(CYCLE_DOCUMENT_KINDS.flatMap((k) => (['zh', 'en'] as const).map((l) => [k, l] as const)))(
    'renders %s (%s) from its fixture in the 公文 layout',
    (kind, locale) => {
      const html = registry().render(sampleSnapshot(kind, locale));
      expect(html).toMatch(/^<!DOCTYPE html>/);
      expect(html).toContain('@page { size: A4;');
      expect(html).toContain('class="red-rule"');
      expect(html).toContain(kind === 'bulletin' ? '中厂镇效能督查组' : '中厂镇脱贫攻坚领导小组办公室');
      expect(html).toContain(locale === 'zh' ? '2026年7月31日' : '31 July 2026');
      for (const text of expected[kind][locale]) expect(html).toContain(text);
    },
  );

  it('names the praised and criticised teams and their reasons in the bulletin', () => {
    const html = registry().render(sampleSnapshot('bulletin'));
    const praise = html.slice(html.indexOf('二、通报表扬'), html.indexOf('三、通报批评'));
    const blame = html.slice(html.indexOf('三、通报批评'), html.indexOf('四、存在问题'));
    expect(praise).toContain('中厂镇第一社区');
    expect(praise).toContain('任务清单完成率100%；按期销号2件');
    expect(blame).toContain('中厂镇第二社区');
    expect(blame).toContain('1个问题逾期超过30天未整改');
    expect(praise).not.toContain('中厂镇第二社区');
  });

  it('renders the same snapshot to the same bytes, chart included', () => {
    const r = registry();
    const a = r.render(sampleSnapshot('bulletin'));
    closeOutRateChart([{ unitName: '别的', rate: 0.3 }]);
    const b = r.render(structuredClone(sampleSnapshot('bulletin')));
    expect(sha256(a)).toBe(sha256(b));
    expect(sha256(r.render(sampleSnapshot('bulletin', 'zh', { number: 12, numberLabel: '第12期' })))).not.toBe(sha256(a));
  });

  it('draws the close-out rate per team as SVG on the server', () => {
    const svg = closeOutRateChart([
      { unitName: '中厂镇第一社区', rate: 1 },
      { unitName: '中厂镇第二社区', rate: 0.5 },
    ]);
    expect(svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain('中厂镇第二社区');
    expect(svg).toContain('50%');
    expect(svg).not.toMatch(/zr\d+-/);
  });

  it('uses a county’s override in place of the built-in template', () => {
    const r = registry({ 'bulletin.hbs': '{{#> _page}}<p>县里的通报：{{#each data.praised}}{{unitName}}{{/each}}</p>{{/_page}}' });
    const html = r.render(sampleSnapshot('bulletin'));
    expect(html).toContain('县里的通报：中厂镇第一社区');
    expect(html).not.toContain('一、基本情况');
    expect(r.render(sampleSnapshot('bulletin', 'en'))).toContain('2. Praised');
    expect(r.files().find((f) => f.name === 'bulletin')!.file).toMatch(/templates\/bulletin\.hbs$/);
  });

  it('stops on a broken override, naming its file and line', () => {
    const broken = '{{#> _page}}\n<p>ok</p>\n{{#each data.praised}}\n<p>{{unitName}}</p>\n{{/_page}}\n';
    expect(() => registry({ 'bulletin.hbs': broken })).toThrow(TemplateError);
    expect(() => registry({ 'bulletin.hbs': broken })).toThrow(/templates\/bulletin\.hbs: line \d+/);
  });

  it('stops on an unknown helper or partial, and on a file name it does not know', () => {
    expect(() => registry({ 'task_list.hbs': '{{#> _page}}\n\n<p>{{shout data.title}}</p>{{/_page}}' })).toThrow(
      /task_list\.hbs: line 3: unknown helper "shout"/,
    );
    expect(() => registry({ 'progress_list.en.hbs': '{{> _missing}}' })).toThrow(
      /progress_list\.en\.hbs: line 1: unknown partial "_missing"/,
    );
    expect(() => registry({ 'buletin.hbs': '<p></p>' })).toThrow(/buletin\.hbs: not a template this service knows/);
  });

  it('renders every template against sample data when a county overrides one, and stops on a failure', () => {
    expect(() => registry({ 'task_list.hbs': '{{#> _page}}{{> (lookup header "nothing")}}{{/_page}}' })).toThrow(
      /task_list\.hbs: fails on sample data: The partial .* could not be found/,
    );
  });

  it('checks an override with a placeholder chart, and still draws the real chart when a bulletin is rendered', () => {
    const r = registry({ 'task_list.hbs': '{{#> _page}}<p>{{header.title}}</p>{{/_page}}' });
    const html = r.render(sampleSnapshot('bulletin', 'zh'));
    expect(html).not.toContain('<svg></svg>');
    expect(html).toContain('各工作队整改销号率');
  });
});
