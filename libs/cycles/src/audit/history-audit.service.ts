import { Inject, Injectable, Logger } from '@nestjs/common';
import { NotificationService } from '@app/notifications';
import { Memberships, Units } from '@app/org';
import { Clock } from '@app/platform';
import { BrokenChain, HistoryChainService } from '@app/tickets';
import { DataSource } from 'typeorm';

/** When the nightly history check runs: 02:23 in the default zone, after the day's work. */
export const HISTORY_AUDIT_CRON = '23 2 * * *';

/** How far back the nightly check looks: a day, and a little more so that a late run misses nothing. */
export const HISTORY_AUDIT_WINDOW_MS = 26 * 3600_000;

export interface HistoryAuditResult {
  from: string;
  to: string;
  broken: number;
  alerted: number;
}

/**
 * The nightly check of the tamper-evident history: every ticket whose history was written in
 * the last day is re-verified, and each break is reported once to the administrators of the
 * ticket's county (and the system's), in their inbox, with the ticket and the first bad entry.
 */
@Injectable()
export class HistoryAudit {
  private readonly logger = new Logger('HistoryAudit');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly chains: HistoryChainService,
    private readonly notifications: NotificationService,
  ) {}

  async run(): Promise<HistoryAuditResult> {
    const to = this.clock.now();
    const from = new Date(to.getTime() - HISTORY_AUDIT_WINDOW_MS);
    const broken = await this.chains.brokenSince(from, to);
    let alerted = 0;
    for (const b of broken) alerted += await this.alert(b);
    if (broken.length) {
      this.logger.error(`ticket history does not verify for ${broken.length} ticket(s): ${broken.map((b) => b.code).join(', ')}`);
    }
    return { from: from.toISOString(), to: to.toISOString(), broken: broken.length, alerted };
  }

  private async alert(b: BrokenChain): Promise<number> {
    const county = (await Units.enclosing(this.db, b.unitPath, 'county')) ?? (await Units.enclosing(this.db, b.unitPath, 'province'));
    const admins = county ? await Memberships.administratorsOf(this.db, county.id) : [];
    const where = b.brokenAt?.seq ? `第${b.brokenAt.seq}条记录` : '全部记录';
    let sent = 0;
    for (const userId of admins) {
      const r = await this.db.transaction((m) =>
        this.notifications.notify(m, {
          dedupeKey: `history-broken:${b.ticketId}:${b.brokenAt?.seq ?? 0}:${b.head ?? 'none'}:${userId}`,
          kind: 'history_broken',
          title: `问题${b.code}的整改过程记录校验未通过`,
          body: `问题${b.code}的${where}与哈希链不符（${b.brokenAt?.reason ?? 'unknown'}），记录可能被改动，请核查数据库操作记录。`,
          link: `/issues/${b.ticketId}`,
          data: { ticketId: b.ticketId, brokenAt: b.brokenAt ?? null },
          userId,
          unitId: county?.id,
          audience: 'user',
        }),
      );
      sent += r.id ? 1 : 0;
    }
    return sent;
  }
}
