import { Injectable } from '@nestjs/common';
import { TransactionListeners } from '@app/platform';
import type { EntityManager } from 'typeorm';
import type { Period } from '../calendar/period';
import type { OutputData, OutputKind } from './output-data';

/** One `cycle_output` row of kind K as a step wrote it. */
export interface CycleOutputOf<K extends OutputKind> {
  id: string;
  runId: string;
  /** The township whose cycle produced it. */
  unitId: string;
  period: Period;
  kind: K;
  /** The team a per-team output is about (a task list, a self-check report). */
  subjectUnitId: string | null;
  data: OutputData[K];
}

/** One `cycle_output` row as a step wrote it, handed to the listeners before its run commits. */
export type CycleOutputRecord = { [K in OutputKind]: CycleOutputOf<K> }[OutputKind];

/** Something that acts on a step's outputs in the run's own transaction (e.g. issues documents). */
export interface CycleOutputListener {
  onOutputs(m: EntityManager, outputs: readonly CycleOutputRecord[]): Promise<void>;
}

/**
 * Where libs that depend on the cycle engine register for its outputs. The listeners run in the
 * run's transaction, so what they write commits with "done" or not at all: exactly once.
 */
@Injectable()
export class CycleOutputListeners extends TransactionListeners<CycleOutputListener> {
  emit(m: EntityManager, outputs: readonly CycleOutputRecord[]): Promise<void> {
    return this.tell(m, outputs, (l, tx, items) => l.onOutputs(tx, items));
  }
}
