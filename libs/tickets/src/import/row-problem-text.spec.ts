import { ImportRejected } from '@app/platform';
import { inReaderLang, readerLang } from './row-problem-text';

describe('the language of import problems', () => {
  it('is Chinese when Accept-Language prefers Chinese, English otherwise', () => {
    expect(readerLang('zh-CN,zh;q=0.9,en;q=0.8')).toBe('zh');
    expect(readerLang('zh-TW')).toBe('zh');
    expect(readerLang('en-US,en;q=0.9,zh-CN;q=0.8')).toBe('en');
    expect(readerLang('fr-FR, zh;q=0.5')).toBe('zh');
    expect(readerLang('fr-FR')).toBe('en');
    expect(readerLang('')).toBe('en');
    expect(readerLang(undefined)).toBe('en');
  });

  it('tells every problem of a rejected list in Chinese, keeping its row, 序号 and column', () => {
    const e = new ImportRejected(
      [
        { row: 4, no: '1', column: '整改时限', message: '"下个月" is not a date (2026-07-28, 2026/7/28, 2026年7月28日, 9月底前)' },
        { row: 5, column: '问题类别', message: '"其他" is not a category (精准识别、资金管理)' },
        {
          row: 6,
          no: '3',
          column: '责任单位',
          message: 'no unit named "中厂镇第九十社区" in the inspected unit (or you may not raise tickets there)',
        },
        { row: 7, column: '问题描述', message: 'longer than 5,000 characters' },
        { row: 2, column: '问题描述', message: 'missing column 问题描述 / 存在问题' },
        { row: 8, column: 'x', message: 'a message of another kind' },
      ],
      '6 problem(s) in the file; nothing was imported',
    );
    const zh = inReaderLang(e, 'zh');
    expect(zh).toBeInstanceOf(ImportRejected);
    expect(zh.message).toBe('文件中有 6 处问题，未导入任何内容');
    expect(zh.rows).toEqual([
      { row: 4, no: '1', column: '整改时限', message: '“下个月”不是日期（可写作 2026-07-28、2026/7/28、2026年7月28日、9月底前）' },
      { row: 5, column: '问题类别', message: '“其他”不是问题类别（可选：精准识别、资金管理）' },
      { row: 6, no: '3', column: '责任单位', message: '被检查单位内没有名为“中厂镇第九十社区”的单位（或您无权在该单位立项）' },
      { row: 7, column: '问题描述', message: '超过 5000 个字' },
      { row: 2, column: '问题描述', message: '缺少“问题描述”或“存在问题”列' },
      { row: 8, column: 'x', message: 'a message of another kind' },
    ]);
    expect(inReaderLang(e, 'en')).toBe(e);
    expect(inReaderLang(new ImportRejected([], 'At least 200 problem(s) in the file; nothing was imported'), 'zh').message).toBe(
      '文件中有至少 200 处问题，未导入任何内容',
    );
  });
});
