import { STEPS } from '@app/cycles';
import { simulate, TownshipMonth } from '../scripts/simulate';

/**
 * The year simulation, cut to two months: the demo townships' cycles run through the real
 * queue on a fake clock while leaders and teams act, and the same seed gives the same year.
 */
describe('the cycle simulation', () => {
  let rows: TownshipMonth[];

  beforeAll(async () => {
    rows = await simulate({ from: '2026-03', months: 2, seed: 7 });
  }, 120_000);

  it('runs each step once per township-month, by the scheduler', () => {
    expect(rows.map((r) => `${r.period} ${r.township}`)).toEqual([
      '2026-03 中厂镇',
      '2026-03 椿木营乡',
      '2026-03 诗礼乡',
      '2026-04 中厂镇',
      '2026-04 椿木营乡',
      '2026-04 诗礼乡',
    ]);
    for (const r of rows) expect(r.runs).toEqual(Object.fromEntries(STEPS.map((s) => [s, 1])));
  });

  it('numbers each township’s bulletins upwards and ranks a leader each month', () => {
    for (const town of ['中厂镇', '椿木营乡', '诗礼乡']) {
      const mine = rows.filter((r) => r.township === town);
      expect(mine.map((r) => r.bulletin)).toEqual([1, 2]);
      for (const r of mine) expect(r.leader).toEqual(expect.any(String));
    }
  });

  it('records what the teams did: tasks, self-checks, tickets closed late or sent back', () => {
    for (const r of rows) {
      expect(r.tasks).toBe(r.teams * 3);
      expect(r.tasksDone).toBeLessThanOrEqual(r.tasks);
      expect(r.selfChecksFiled).toBeLessThanOrEqual(r.teams);
      expect(r.opened).toBeGreaterThan(0);
    }
    const total = (f: (r: TownshipMonth) => number) => rows.reduce((a, r) => a + f(r), 0);
    expect(total((r) => r.tasksDone)).toBeGreaterThan(0);
    expect(total((r) => r.closed)).toBeGreaterThan(0);
    expect(total((r) => r.closedLate)).toBeGreaterThan(0);
    expect(total((r) => r.returned)).toBeGreaterThan(0);
    expect(total((r) => r.teams - r.selfChecksFiled)).toBeGreaterThan(0);
    // The months differ: teams act by chance, not by rote.
    expect(new Set(rows.map((r) => `${r.tasksDone}/${r.opened}/${r.closed}/${r.overdue}`)).size).toBeGreaterThan(1);
  });

  it('gives the same month again with the same seed', async () => {
    const again = await simulate({ from: '2026-03', months: 1, seed: 7 });
    expect(again).toEqual(rows.slice(0, 3));
  }, 120_000);
});
