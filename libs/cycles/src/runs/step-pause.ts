import { Logger } from '@nestjs/common';
import type { StepHandler } from './step-handler';

/**
 * For fault tests (CYCLE_STEP_PAUSE_MS): each step waits after writing its outputs, before its
 * transaction commits, so that a test can kill the worker in the middle of a step and see that
 * nothing it wrote survives.
 */
export function withStepPause(handlers: StepHandler[], ms: number): StepHandler[] {
  if (!ms) return handlers;
  const logger = new Logger('StepPause');
  return handlers.map((h) => ({
    step: h.step,
    run: async (ctx) => {
      const summary = await h.run(ctx);
      logger.warn(`${h.step} of ${ctx.township.unitName} ${ctx.period} written, pausing ${ms} ms before commit`);
      await new Promise((resolve) => setTimeout(resolve, ms));
      return summary;
    },
  }));
}
