import fc from 'fast-check';
import { parseSheetDate } from './sheet-dates';
import { queryBigrams } from './search';

describe('parseSheetDate', () => {
  it.each([
    ['2026-07-28', '2026-07-28'],
    ['2026/7/28', '2026-07-28'],
    ['2026.07.28', '2026-07-28'],
    ['2026年7月28日', '2026-07-28'],
    ['2026年7月28', '2026-07-28'],
    [' 2026 年 12 月 1 日 ', '2026-12-01'],
    ['20260728', '2026-07-28'],
    ['46231', '2026-07-28'],
    ['46231.0', '2026-07-28'],
    ['2028-02-29', '2028-02-29'],
    ['2026年9月30日前', '2026-09-30'],
    ['2026.10.31', '2026-10-31'],
    ['2026/10/31前', '2026-10-31'],
    ['2026年9月底前', '2026-09-30'],
    ['2026年2月底', '2026-02-28'],
    ['2026年底前', '2026-12-31'],
  ])('reads %j as %s', (text, iso) => expect(parseSheetDate(text)).toBe(iso));

  it.each([
    ['9月30日前', '2026-09-30'],
    ['9月底前', '2026-09-30'],
    ['2月底', '2026-02-28'],
    ['年底前', '2026-12-31'],
    ['2027年3月底前', '2027-03-31'],
  ])('reads %j in the inspection year 2026 as %s', (text, iso) => expect(parseSheetDate(text, 2026)).toBe(iso));

  it.each(['13月底', '9月31日', '年底后'])('refuses %j even with a year', (text) => expect(parseSheetDate(text, 2026)).toBeUndefined());

  it.each(['', '7月28日', '2026-02-30', '2026-13-01', '2026/7', 'tomorrow', '99999999', '=TODAY()', '1900-01-01'])('refuses %j', (text) =>
    expect(parseSheetDate(text)).toBeUndefined(),
  );

  it('reads an Excel serial as Excel shows it, for any day of 1990–2100', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }), (d) => {
        const day = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
        const serial = Math.round((day.getTime() - Date.UTC(1899, 11, 30)) / 86_400_000);
        expect(parseSheetDate(String(serial))).toBe(day.toISOString().slice(0, 10));
      }),
    );
  });
});

describe('queryBigrams', () => {
  it('splits a query into the pieces the index holds', () => {
    expect(queryBigrams('危房')).toEqual(['危房']);
    expect(queryBigrams('危房改造')).toEqual(['危房', '房改', '改造']);
    expect(queryBigrams('危房 改造')).toEqual(['危房', '改造']);
    expect(queryBigrams('ABc')).toEqual(['ab', 'bc']);
    expect(queryBigrams('危')).toBeUndefined();
  });
});
