import { queryBigrams, searchText, textBigrams } from './search';

describe('text pieces for search', () => {
  it('are every two-character piece, lower-cased, once, none with white space', () => {
    expect(textBigrams('危房改造 AB危房')).toEqual(['危房', '房改', '改造', 'ab', 'b危']);
    expect(textBigrams('')).toEqual([]);
    expect(textBigrams('危')).toEqual([]);
    expect(textBigrams('a\u3000b c')).toEqual([]);
  });

  it('count characters, not UTF-16 units', () => {
    expect(textBigrams('𠀀房')).toEqual(['𠀀房']);
  });

  it('join title and description as the database does', () => {
    expect(textBigrams(searchText('危房', null))).toEqual(['危房']);
    expect(textBigrams(searchText('危房', '改造'))).toEqual(['危房', '改造']);
  });

  it('are asked of the index only for two characters or more', () => {
    expect(queryBigrams(' 危 ')).toBeUndefined();
    expect(queryBigrams(' 危房 ')).toEqual(['危房']);
    expect(queryBigrams('危房改造')).toEqual(['危房', '房改', '改造']);
  });
});
