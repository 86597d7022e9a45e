import { Inject, Injectable } from '@nestjs/common';
import { Principal } from '@app/platform';
import { DataSource } from 'typeorm';
import { TicketService } from '../tickets/ticket.service';
import { ChainEntry, ChainReport, verifyChain } from './history-chain';

/** The entry's columns as the chain hashes them (`at` and `data` printed by the database). */
const ENTRY_COLUMNS = `id::int AS id, seq, ticket_id AS "ticketId", kind, action, from_status AS "fromStatus",
  to_status AS "toStatus", actor_id::text AS "actorId", actor_name AS "actorName", comment, data::text AS data,
  to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, prev_hash AS "prevHash", hash`;

export interface BrokenChain extends ChainReport {
  ticketId: string;
  code: string;
  unitPath: string;
}

/** Checks tickets' hash-chained histories: one ticket on request, every ticket touched in a window nightly. */
@Injectable()
export class HistoryChainService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly tickets: TicketService,
  ) {}

  /** `GET /issues/:id/history/verify`: for anyone who may read the ticket. */
  async verify(principal: Principal, ticketId: string): Promise<ChainReport> {
    await this.tickets.readable(this.db.manager, principal, ticketId);
    return verifyChain(await this.entries([ticketId]).then((m) => m.get(ticketId) ?? []));
  }

  /**
   * The chains of every ticket whose history gained an entry in [from, to), and of every ticket
   * created then (whose history may since have vanished), that no longer verify.
   */
  async brokenSince(from: Date, to: Date): Promise<BrokenChain[]> {
    const touched = await this.db.query<Array<{ id: string; code: string; unit_path: string }>>(
      `SELECT t.id, t.code, t.unit_path FROM ticket t
        WHERE t.id IN (SELECT ticket_id FROM ticket_event WHERE at >= $1 AND at < $2
                       UNION SELECT id FROM ticket WHERE created_at >= $1 AND created_at < $2)`,
      [from, to],
    );
    const broken: BrokenChain[] = [];
    for (let i = 0; i < touched.length; i += 500) {
      const batch = touched.slice(i, i + 500);
      const chains = await this.entries(batch.map((t) => t.id));
      for (const t of batch) {
        const report = verifyChain(chains.get(t.id) ?? []);
        if (!report.ok) broken.push({ ...report, ticketId: t.id, code: t.code, unitPath: t.unit_path });
      }
    }
    return broken;
  }

  private async entries(ticketIds: string[]): Promise<Map<string, ChainEntry[]>> {
    const rows = await this.db.query<ChainEntry[]>(
      `SELECT ${ENTRY_COLUMNS} FROM ticket_event WHERE ticket_id = ANY($1::uuid[]) ORDER BY ticket_id, seq`,
      [ticketIds],
    );
    const out = new Map<string, ChainEntry[]>();
    for (const r of rows) {
      const list = out.get(r.ticketId) ?? [];
      list.push(r);
      out.set(r.ticketId, list);
    }
    return out;
  }
}
