import { ErrorBackoff } from './error-backoff';

describe('ErrorBackoff', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function subject() {
    const calls: string[] = [];
    const backoff = new ErrorBackoff(
      {
        pause: async () => void calls.push('pause'),
        resume: async () => void calls.push('resume'),
        log: (m) => calls.push(`log ${m}`),
      },
      1000,
      4000,
    );
    return { calls, backoff };
  }
  const settle = async () => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };

  it('pauses once for a burst of errors, logs once, and resumes after the interval', async () => {
    const { calls, backoff } = subject();
    for (let i = 0; i < 500; i++) backoff.error(new Error('function move_to_active(unknown) does not exist'));
    await settle();
    expect(calls).toEqual(['log worker error: function move_to_active(unknown) does not exist; fetching again in 1 s', 'pause']);
    jest.advanceTimersByTime(999);
    expect(calls).toHaveLength(2);
    jest.advanceTimersByTime(1);
    await settle();
    expect(calls.at(-1)).toBe('resume');
  });

  it('waits twice as long after each further error, up to the maximum, and briefly again after a success', async () => {
    const { calls, backoff } = subject();
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      backoff.error(new Error('down'));
      backoff.error(new Error('down'));
      await settle();
      const line = calls.filter((c) => c.startsWith('log')).at(-1)!;
      waits.push(Number(/again in ([\d.]+) s/.exec(line)![1]));
      jest.advanceTimersByTime(waits.at(-1)! * 1000);
      await settle();
    }
    expect(waits).toEqual([1, 2, 4, 4]);
    expect(calls.filter((c) => c.startsWith('log'))[1]).toMatch(/and 1 more error\(s\) since the last report/);
    backoff.succeeded();
    backoff.error(new Error('down'));
    expect(calls.filter((c) => c.startsWith('log')).at(-1)).toMatch(/again in 1 s$/);
  });

  it('does not resume once stopped', async () => {
    const { calls, backoff } = subject();
    backoff.error(new Error('down'));
    await settle();
    backoff.stop();
    jest.advanceTimersByTime(10_000);
    await settle();
    expect(calls).not.toContain('resume');
    backoff.error(new Error('after shutdown'));
    expect(calls.filter((c) => c.startsWith('log'))).toHaveLength(1);
  });
});
