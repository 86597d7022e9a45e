import { loadConfig } from '@app/platform';
import { FailedRuns } from './failed-runs';

const retries = (env: Record<string, string> = {}) =>
  new FailedRuns(null as never, loadConfig({ CONFIG_DIR: '/nonexistent', ...env }), null as never, null as never);
const minutes = (ms: number) => ms / 60_000;

describe('the wait before a failed run is tried again', () => {
  it('doubles with each round of the queue’s five retries, up to a day', () => {
    const r = retries();
    expect([1, 5, 6, 10, 11, 16, 21, 26, 31, 36, 500].map((attempts) => minutes(r.retryDelayMs(attempts)))).toEqual([
      15, 15, 30, 30, 60, 120, 240, 480, 960, 1440, 1440,
    ]);
  });

  it('follows the settings', () => {
    const r = retries({ CYCLE_RETRY_DELAY: '1m', CYCLE_RETRY_MAX_DELAY: '3m' });
    expect([1, 6, 11, 16].map((a) => minutes(r.retryDelayMs(a)))).toEqual([1, 2, 3, 3]);
    const failed = { id: 'r', unit_id: 'u', period: '2026-12', key: 'step:dispatch', attempts: 6, error: null };
    expect(r.retryAt({ ...failed, updated_at: new Date('2026-12-02T02:00:00Z') })).toEqual(new Date('2026-12-02T02:02:00Z'));
  });
});
