import Handlebars from 'handlebars';
import { HELPERS } from '../render/helpers';
import { documentTitle, issuedDateLabel, issuerName, numberLabel, periodLabel } from './document-content';

describe('the 公文 header of a document', () => {
  it.each([
    ['bulletin', 'zh', '第11期'],
    ['bulletin', 'en', 'Issue 11'],
    ['task_list', 'zh', '〔2026〕11号'],
    ['evaluation_list', 'en', '[2026] No. 11'],
    ['ledger', 'zh', '台账〔2026〕11号'],
    ['ledger', 'en', 'Ledger [2026] No. 11'],
  ] as const)('numbers a %s (%s) as %s', (kind, locale, label) => {
    expect(numberLabel(kind, 2026, 11, locale)).toBe(label);
  });

  it('dates a document in the issuer’s time zone, not the server’s', () => {
    const lateEvening = new Date('2026-07-31T17:30:00Z');
    expect(issuedDateLabel(lateEvening, 'Asia/Shanghai', 'zh')).toBe('2026年8月1日');
    expect(issuedDateLabel(lateEvening, 'UTC', 'zh')).toBe('2026年7月31日');
    expect(issuedDateLabel(lateEvening, 'Asia/Shanghai', 'en')).toBe('1 August 2026');
  });

  it('writes dates in the body as in the header', () => {
    const render = (locale: 'zh' | 'en') =>
      Handlebars.create().compile('{{localDate at}}')(
        { at: '2026-07-31T17:30:00Z', locale, header: { timezone: 'Asia/Shanghai' } },
        { helpers: HELPERS },
      );
    expect(render('zh')).toBe('2026年8月1日');
    expect(render('en')).toBe('1 August 2026');
  });

  it('names the month and year of the period', () => {
    expect(periodLabel('2026-07', 'zh')).toBe('2026年7月');
    expect(periodLabel('2026-12', 'en')).toBe('December 2026');
    expect(periodLabel('2026', 'zh')).toBe('2026年');
  });

  it('takes the bulletin’s issuer from its data, and the township office otherwise', () => {
    expect(issuerName('bulletin', '中厂镇', { issuer: '中厂镇效能督查组' })).toBe('中厂镇效能督查组');
    expect(issuerName('progress_list', '中厂镇', { issuer: '中厂镇效能督查组' })).toBe('中厂镇脱贫攻坚领导小组办公室');
    expect(issuerName('bulletin', '中厂镇', {})).toBe('中厂镇脱贫攻坚领导小组办公室');
  });

  it('titles each kind in the official style', () => {
    const team = { team: { name: '中厂镇第一社区' } };
    // The step gives the facts; the wording of the title is the documents lib's.
    expect(documentTitle('self_check_report', 'zh', team, '中厂镇', '中厂镇第一社区', '2026-07')).toBe(
      '中厂镇第一社区2026年7月脱贫攻坚自查报告',
    );
    expect(documentTitle('task_list', 'zh', { ...team, title: '中厂镇7月重点工作任务清单' }, '中厂镇', '中厂镇第一社区', '2026-07')).toBe(
      '中厂镇7月重点工作任务清单（中厂镇第一社区）',
    );
    expect(documentTitle('progress_list', 'zh', {}, '中厂镇', '中厂镇', '2026-07')).toBe('中厂镇2026年7月工作进度清单');
    expect(documentTitle('bulletin', 'en', {}, '中厂镇', '中厂镇', '2026-07')).toBe('Supervision bulletin on 中厂镇, July 2026');
    expect(documentTitle('ledger', 'zh', {}, '中厂镇', '中厂镇', '2026-07')).toBe('中厂镇2026年7月问题整改台账');
    expect(documentTitle('ledger', 'zh', {}, '中厂镇', '中厂镇第一社区', '2026')).toBe('中厂镇第一社区2026年问题整改台账');
  });
});
