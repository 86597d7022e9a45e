import { Inject, Injectable } from '@nestjs/common';
import { AppConfig, Clock, Forbidden, IllegalTransition, NotFound, Principal, UnsupportedMediaType } from '@app/platform';
import { ReadStream } from 'node:fs';
import { DataSource } from 'typeorm';
import { ACTIVE_STATUSES } from '../domain/ticket-state';
import { actorFor } from '../tickets/ticket-access';
import { TicketService } from '../tickets/ticket.service';
import { FileStore } from './file-store';
import { ACCEPTED_TYPES, sniffEvidenceType } from './sniff';

export interface EvidenceView {
  id: string;
  sha256: string;
  size: number;
  mediaType: string;
  filename: string;
  uploadedBy: string | null;
  uploadedAt: string;
}

/** Evidence of rectification (佐证材料): uploaded by the team, kept by content, read within scope. */
@Injectable()
export class EvidenceService {
  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly tickets: TicketService,
    private readonly files: FileStore,
  ) {}

  get maxBytes(): number {
    return this.config.EVIDENCE_MAX_MB * 1024 * 1024;
  }

  async upload(principal: Principal, ticketId: string, file: { filename: string; data: Buffer }): Promise<EvidenceView> {
    const ticket = await this.tickets.readable(this.db.manager, principal, ticketId);
    const actor = actorFor(principal, ticket);
    if (!(actor.owner || actor.leader || actor.admin)) throw new Forbidden('Only the owner team or its leaders add evidence');
    if (!ACTIVE_STATUSES.includes(ticket.status)) throw new IllegalTransition(`A ${ticket.status} ticket takes no more evidence`, []);
    const mediaType = await sniffEvidenceType(file.data);
    if (!mediaType) {
      throw new UnsupportedMediaType(
        `The file is not an accepted kind of evidence (by its content): send ${Object.values(ACCEPTED_TYPES).join(', ')}`,
        Object.keys(ACCEPTED_TYPES),
      );
    }
    const sha = await this.files.put(file.data);
    const filename = file.filename.replace(/[\\/\p{Cc}]/gu, '_').slice(-200) || 'evidence';
    const id = await this.db.transaction(async (m) => {
      const locked = await this.tickets.readable(m, principal, ticketId, true);
      if (!ACTIVE_STATUSES.includes(locked.status)) throw new IllegalTransition(`A ${locked.status} ticket takes no more evidence`, []);
      const now = this.clock.now();
      await m.query(
        `INSERT INTO evidence_file (sha256, size, media_type, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`,
        [sha, file.data.length, mediaType, now],
      );
      const [row] = await m.query<Array<{ id: string }>>(
        `INSERT INTO ticket_evidence (ticket_id, sha256, filename, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [ticketId, sha, filename, principal.userId, now],
      );
      await m.query(
        `INSERT INTO ticket_event (ticket_id, kind, from_status, to_status, actor_id, actor_name, data, at)
         VALUES ($1, 'evidence_added', $2, $2, $3, $4, $5, $6)`,
        [
          ticketId,
          locked.status,
          principal.userId,
          principal.displayName,
          JSON.stringify({ evidenceId: row.id, sha256: sha, filename, mediaType }),
          now,
        ],
      );
      return row.id;
    });
    return {
      id,
      sha256: sha,
      size: file.data.length,
      mediaType,
      filename,
      uploadedBy: principal.displayName,
      uploadedAt: this.clock.now().toISOString(),
    };
  }

  async list(principal: Principal, ticketId: string): Promise<EvidenceView[]> {
    await this.tickets.readable(this.db.manager, principal, ticketId);
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT e.id, e.sha256, f.size, f.media_type, e.filename, u.display_name, e.uploaded_at
         FROM ticket_evidence e JOIN evidence_file f ON f.sha256 = e.sha256 LEFT JOIN app_user u ON u.id = e.uploaded_by
        WHERE e.ticket_id = $1 ORDER BY e.uploaded_at`,
      [ticketId],
    );
    return rows.map((r) => ({
      id: r.id as string,
      sha256: r.sha256 as string,
      size: Number(r.size),
      mediaType: r.media_type as string,
      filename: r.filename as string,
      uploadedBy: (r.display_name as string) ?? null,
      uploadedAt: new Date(r.uploaded_at as string).toISOString(),
    }));
  }

  /** The file of one piece of evidence, after the same scope check as the ticket. */
  async open(principal: Principal, ticketId: string, evidenceId: string): Promise<{ view: EvidenceView; stream: ReadStream }> {
    const all = await this.list(principal, ticketId);
    const view = all.find((e) => e.id === evidenceId);
    if (!view) throw new NotFound('Evidence', evidenceId);
    return { view, stream: this.files.open(view.sha256) };
  }
}
