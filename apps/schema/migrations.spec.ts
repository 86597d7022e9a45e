import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MIGRATIONS } from './migrations';

const LIBS = join(__dirname, '..', '..', 'libs');

/** Every migration class declared under libs/<lib>/src/migrations/, with its file. */
function declared(): Array<{ name: string; file: string }> {
  const found: Array<{ name: string; file: string }> = [];
  for (const lib of readdirSync(LIBS)) {
    const dir = join(LIBS, lib, 'src', 'migrations');
    let files: string[];
    try {
      files = readdirSync(dir);
    } catch {
      continue;
    }
    for (const file of files.filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))) {
      for (const m of readFileSync(join(dir, file), 'utf8').matchAll(/export class (\w+) implements MigrationInterface/g)) {
        found.push({ name: m[1], file: `${lib}/${file}` });
      }
    }
  }
  return found;
}

const timestamp = (name: string) => Number(/(\d{13})$/.exec(name)?.[1]);

describe('the composed migration list', () => {
  it('holds every migration the libs declare, once each', () => {
    const names = MIGRATIONS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...names].sort()).toEqual(
      declared()
        .map((d) => d.name)
        .sort(),
    );
  });

  it('runs them in timestamp order, whichever lib owns them', () => {
    const stamps = MIGRATIONS.map((m) => timestamp(m.name));
    expect(stamps.every((s) => Number.isFinite(s))).toBe(true);
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });

  it('names each migration after the timestamp its file starts with', () => {
    for (const d of declared()) expect(d.file.split('/')[1].slice(0, 13)).toBe(String(timestamp(d.name)));
  });
});
