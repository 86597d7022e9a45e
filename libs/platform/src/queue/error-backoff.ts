/**
 * How a worker behaves after an error it cannot recover from by itself (a queue whose
 * functions are missing, a database that refuses its queries): it stops fetching for a while,
 * twice as long after each further error up to `maxMs`, and starts again at `minMs` once a job
 * completes. At most one log line is written per pause, with the errors that came meanwhile.
 */
export class ErrorBackoff {
  private nextMs: number;
  private paused = false;
  private unreported = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly actions: {
      pause(): Promise<void>;
      resume(): Promise<void>;
      log(message: string): void;
    },
    private readonly minMs = 1000,
    private readonly maxMs = 60_000,
  ) {
    this.nextMs = minMs;
  }

  /** Takes one error: the first one of a pause is logged and pauses the worker. */
  error(e: Error): void {
    if (this.stopped) return;
    if (this.paused) {
      this.unreported += 1;
      return;
    }
    this.paused = true;
    const waitMs = this.nextMs;
    this.nextMs = Math.min(this.nextMs * 2, this.maxMs);
    const also = this.unreported ? ` (and ${this.unreported} more error(s) since the last report)` : '';
    this.unreported = 0;
    this.actions.log(`worker error: ${e.message}${also}; fetching again in ${Math.round(waitMs / 100) / 10} s`);
    void this.actions
      .pause()
      .catch(() => undefined)
      .then(() => {
        if (this.stopped) return;
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.paused = false;
          if (!this.stopped) void this.actions.resume().catch(() => undefined);
        }, waitMs);
        this.timer.unref();
      });
  }

  /** A job went through: the next error pauses briefly again. */
  succeeded(): void {
    this.nextMs = this.minMs;
  }

  /** No resume after shutdown has begun. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
