import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Runs every compiled `bench/*.bench.js` one after the other, each in a process of its own, or
 * only those whose names contain one of the arguments (`npm run bench -- import`). Options from
 * the first `--name` on go to each benchmark (`npm run bench -- issues --rounds 3 --explain`).
 */
function main(): number {
  const args = process.argv.slice(2);
  const firstOption = args.findIndex((a) => a.startsWith('--'));
  const wanted = firstOption < 0 ? args : args.slice(0, firstOption);
  const options = firstOption < 0 ? [] : args.slice(firstOption);
  const all = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.js'))
    .sort();
  const chosen = wanted.length ? all.filter((f) => wanted.some((w) => f.includes(w))) : all;
  if (!chosen.length) {
    console.error(`No benchmark matches ${wanted.join(', ')}; there are: ${all.join(', ')}`);
    return 2;
  }
  const failed: string[] = [];
  for (const file of chosen) {
    console.log(`\n=== ${file.replace(/\.js$/, '.ts')} ===`);
    const run = spawnSync(process.execPath, [join(__dirname, file), ...options], { stdio: 'inherit' });
    if (run.status !== 0) failed.push(file);
  }
  if (failed.length) console.error(`\nFailed: ${failed.join(', ')}`);
  return failed.length ? 1 : 0;
}

process.exitCode = main();
