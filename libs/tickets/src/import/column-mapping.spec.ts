import { ValidationFailed } from '@app/platform';
import { FINDING_COLUMNS } from './findings-import.service';
import { parseMapping, withMapping } from './column-mapping';
import { DUPLICATE_SIMILARITY, titleSimilarity } from './duplicates';

describe('column mapping', () => {
  it('reads a JSON object of field → header, trimmed, and refuses anything else as a 400 on mapping', () => {
    expect(parseMapping(' {"problem":" 情况 ","unit":"单位"} ', FINDING_COLUMNS)).toEqual({ problem: '情况', unit: '单位' });
    expect(parseMapping(undefined, FINDING_COLUMNS)).toBeUndefined();
    expect(parseMapping('{}', FINDING_COLUMNS)).toBeUndefined();
    for (const bad of ['[', '[1]', '"情况"', '{"title":"情况"}', '{"problem":3}', '{"problem":""}', '{"problem":"a","unit":"a"}']) {
      expect(() => parseMapping(bad, FINDING_COLUMNS)).toThrow(ValidationFailed);
    }
    expect(() => parseMapping(`{"problem":"${'长'.repeat(101)}"}`, FINDING_COLUMNS)).toThrow(/1 to 100 characters/);
  });

  it('puts a mapped header first for its field and takes it away from the field that had it', () => {
    const specs = withMapping(FINDING_COLUMNS, { problem: '问题类别', unit: '单位' });
    const headers = (key: string) => specs.find((s) => s.key === key)!.headers;
    expect(headers('problem')[0]).toBe('问题类别');
    expect(headers('category')).not.toContain('问题类别');
    expect(headers('unit').slice(0, 2)).toEqual(['单位', '责任单位']);
    expect(withMapping(FINDING_COLUMNS, undefined)).toEqual(FINDING_COLUMNS);
  });
});

describe('title similarity', () => {
  it('finds near-identical titles alike and different problems not, whatever the punctuation', () => {
    expect(titleSimilarity('村务公开栏内容未及时更新', '村务公开栏内容没有及时更新')).toBeGreaterThanOrEqual(DUPLICATE_SIMILARITY);
    expect(titleSimilarity('扶贫资金台账登记不清', '扶贫资金台账登记不清。')).toBe(1);
    expect(titleSimilarity('扶贫资金台账登记不清', '危房改造补助资金发放滞后')).toBeLessThan(DUPLICATE_SIMILARITY);
    expect(titleSimilarity('', '档案')).toBe(0);
  });
});
