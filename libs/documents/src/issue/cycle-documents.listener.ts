import { Injectable, OnModuleInit } from '@nestjs/common';
import { CycleOutputListener, CycleOutputListeners, CycleOutputRecord } from '@app/cycles';
import { Units } from '@app/org';
import type { EntityManager } from 'typeorm';
import { DocumentIssuer, UnitRef } from './document-issuer';

/**
 * Issues the documents of a cycle step's outputs in the step's own transaction: the documents
 * commit with the run's "done" or not at all, so each output is issued exactly once (the
 * schema's unique source output backs this up).
 */
@Injectable()
export class CycleDocumentsListener implements CycleOutputListener, OnModuleInit {
  constructor(
    private readonly listeners: CycleOutputListeners,
    private readonly issuer: DocumentIssuer,
  ) {}

  onModuleInit(): void {
    this.listeners.register(this);
  }

  async onOutputs(m: EntityManager, outputs: readonly CycleOutputRecord[]): Promise<void> {
    const ids = [...new Set(outputs.flatMap((o) => [o.unitId, o.subjectUnitId ?? o.unitId]))];
    const units = new Map<string, UnitRef>(
      (await Units.byIds(m, ids)).map((u) => [u.id, { id: u.id, name: u.name, timezone: u.timezone }]),
    );
    for (const o of outputs) {
      // A team that filed nothing has no report to issue; the bulletin names it instead.
      if (o.kind === 'self_check_report' && !o.data.filed) continue;
      await this.issuer.issue(m, {
        kind: o.kind,
        unit: units.get(o.subjectUnitId ?? o.unitId)!,
        township: units.get(o.unitId)!,
        period: o.period,
        data: o.data,
        locale: 'zh',
        issuedBy: null,
        corrects: null,
        sourceOutputId: o.id,
      });
    }
  }
}
