import { closeOutRate, percent, sqlCloseOutCounts, sqlFoundOn } from './close-out-rate';

describe('the close-out rate', () => {
  it.each([
    [{ found: 165, closed: 161, cancelled: 0 }, 0.9758, '97.6%'],
    [{ found: 3, closed: 1, cancelled: 0 }, 0.3333, '33.3%'],
    [{ found: 4, closed: 0, cancelled: 0 }, 0, '0%'],
    [{ found: 0, closed: 0, cancelled: 0 }, 1, '100%'],
    // Cancelled tickets are not ones to close out.
    [{ found: 5, closed: 2, cancelled: 1 }, 0.5, '50%'],
    [{ found: 2, closed: 0, cancelled: 2 }, 1, '100%'],
    // Overdue tickets stay in the denominator as any open one does: 1 closed of 7 found.
    [{ found: 7, closed: 1, cancelled: 0 }, 0.1429, '14.3%'],
    [{ found: 28, closed: 13, cancelled: 0 }, 0.4643, '46.4%'],
  ])('%j is %d (%s)', (counts, rate, text) => {
    expect(closeOutRate(counts)).toBe(rate);
    expect(percent(closeOutRate(counts))).toBe(text);
  });

  it('stays within 0..1 and never divides by zero', () => {
    for (let found = 0; found < 8; found++)
      for (let cancelled = 0; cancelled <= found; cancelled++)
        for (let closed = 0; closed + cancelled <= found; closed++) {
          const r = closeOutRate({ found, closed, cancelled });
          expect(r).toBeGreaterThanOrEqual(0);
          expect(r).toBeLessThanOrEqual(1);
        }
  });

  it('has its SQL parts from the same definitions', () => {
    expect(sqlFoundOn()).toBe('coalesce(i.date, (t.created_at AT TIME ZONE t.unit_tz)::date)');
    expect(sqlCloseOutCounts('r.status')).toBe(
      "count(*) FILTER (WHERE r.status = 'closed') AS closed, count(*) FILTER (WHERE r.status = 'cancelled') AS cancelled",
    );
  });
});
