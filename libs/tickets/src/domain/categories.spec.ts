import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CATEGORIES, loadCategories, readCategoryConfig } from './categories';

describe('config/ticket-categories.yaml', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rt-categories-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const write = (text: string) => writeFileSync(join(dir, 'ticket-categories.yaml'), text);

  it('without a file: the defaults, none needing a before/after pair', () => {
    expect(readCategoryConfig(dir)).toEqual({ names: DEFAULT_CATEGORIES, beforeAfter: new Set() });
  });

  it('takes names and { name, beforeAfter } entries side by side', () => {
    write(
      [
        'categories:',
        '  - 精准识别',
        '  - { name: 两不愁三保障, beforeAfter: true }',
        '  - name: 项目实施',
        '    beforeAfter: false',
        '  - { name: " 人居环境整治 ", beforeAfter: true }',
      ].join('\n'),
    );
    const read = readCategoryConfig(dir);
    expect(read.names).toEqual(['精准识别', '两不愁三保障', '项目实施', '人居环境整治']);
    expect([...read.beforeAfter]).toEqual(['两不愁三保障', '人居环境整治']);
    expect(loadCategories(dir)).toEqual(read.names);
  });

  it.each([
    ['an empty list', 'categories: []'],
    ['a blank name', 'categories:\n  - "  "'],
    ['an entry without a name', 'categories:\n  - { beforeAfter: true }'],
    ['beforeAfter that is not true or false', 'categories:\n  - { name: 精准帮扶, beforeAfter: 是 }'],
    ['an unknown option', 'categories:\n  - { name: 精准帮扶, photos: 2 }'],
  ])('refuses %s, naming the file', (_name, text) => {
    write(text);
    expect(() => readCategoryConfig(dir)).toThrow(/ticket-categories\.yaml: must be a list of category names/);
  });
});
