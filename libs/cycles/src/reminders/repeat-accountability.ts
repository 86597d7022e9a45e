import { Injectable, OnModuleInit } from '@nestjs/common';
import { UnitRef, Units } from '@app/org';
import { AppConfig, Clock } from '@app/platform';
import { RepeatFlagged, RepeatListener, RepeatListeners } from '@app/tickets';
import type { EntityManager } from 'typeorm';
import { openAccountability } from './accountability-records';

/**
 * With REPEAT_ACCOUNTABILITY on, a new ticket flagged 屡查屡犯 (repeat) opens an accountability
 * record of ground `repeat` naming its unit, its township, its responsible person and the closed
 * ticket it repeats (the best match), in the transaction that opens the ticket; one per ticket.
 */
@Injectable()
export class RepeatAccountability implements RepeatListener, OnModuleInit {
  constructor(
    private readonly listeners: RepeatListeners,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.listeners.register(this);
  }

  async onRepeats(m: EntityManager, flagged: readonly RepeatFlagged[]): Promise<void> {
    if (!this.config.repeatAccountability) return;
    const units = await Units.mapByIds(
      m,
      flagged.map((f) => f.unitId),
    );
    const townships = new Map<string, UnitRef | null>();
    for (const u of units.values()) townships.set(u.id, await Units.enclosing(m, u.path, 'township'));
    await openAccountability(
      m,
      flagged.flatMap((f) =>
        units.has(f.unitId) && f.repeatOf.length
          ? [
              {
                ticketId: f.ticketId,
                unitId: f.unitId,
                townshipId: townships.get(f.unitId)?.id ?? null,
                person: f.responsible,
                ground: 'repeat' as const,
                repeatOf: f.repeatOf[0],
              },
            ]
          : [],
      ),
      this.clock.now(),
    );
  }
}
