import { Inject, Injectable } from '@nestjs/common';
import {
  AppConfig,
  Clock,
  Forbidden,
  IdempotencyStore,
  IllegalTransition,
  NotFound,
  Principal,
  requestHash,
  UnsupportedMediaType,
  ValidationFailed,
} from '@app/platform';
import { ReadStream } from 'node:fs';
import { Units, UnitSql, UserSql } from '@app/org';
import { DataSource } from 'typeorm';
import { ACTIVE_STATUSES } from '../domain/ticket-state';
import { actorFor } from '../tickets/ticket-access';
import { TicketService } from '../tickets/ticket.service';
import { decideWarnings, EvidenceExif, EvidenceWarning, OtherTicket, toSigned64 } from './evidence-checks';
import { countyOf, findNearDuplicates, nearDuplicateColumns, nearDuplicateValues } from './near-duplicates';
import { FileStore } from './file-store';
import { PHOTO_TYPES, PhotoFacts, photoExif, photoHash, ReportedFacts, withReported } from './photo-facts';
import { ACCEPTED_TYPES, sniffEvidenceType } from './sniff';

export interface EvidenceView {
  id: string;
  sha256: string;
  size: number;
  mediaType: string;
  filename: string;
  uploadedBy: string | null;
  uploadedAt: string;
  exif?: PhotoFacts;
  /** Marked as the photo before (整改前) or after (整改后) the work, or null. */
  role: EvidenceRole | null;
  /** What the checks against 纸面销号 found when the file was uploaded; none of them refused it. */
  warnings: EvidenceWarning[];
}

export const EVIDENCE_ROLES = ['before', 'after'] as const;
export type EvidenceRole = (typeof EVIDENCE_ROLES)[number];

const ROLE_WORDS: Record<string, EvidenceRole> = { before: 'before', after: 'after', 整改前: 'before', 整改后: 'after' };

/** The `role` field of an upload: before or after (also 整改前, 整改后); empty is none. */
export function parseEvidenceRole(value: string | undefined): EvidenceRole | undefined {
  const v = value?.trim();
  if (!v) return undefined;
  const role = ROLE_WORDS[v];
  if (!role) throw ValidationFailed.field('role', 'must be before (整改前) or after (整改后)');
  return role;
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
    private readonly idempotency: IdempotencyStore,
  ) {}

  get maxBytes(): number {
    return this.config.EVIDENCE_MAX_MB * 1024 * 1024;
  }

  /**
   * Stores a file as evidence of a ticket. With `idempotencyKey`, a second upload of the same
   * file with the same key (a phone resending after a lost answer) answers with the first one's
   * evidence and adds nothing. `reported`: the capture time and place the phone sent beside a
   * photo, used where the file has none of its own.
   */
  async upload(
    principal: Principal,
    ticketId: string,
    file: { filename: string; data: Buffer },
    options: { idempotencyKey?: string; role?: EvidenceRole; reported?: ReportedFacts } = {},
  ): Promise<EvidenceView> {
    const key = options.idempotencyKey;
    const scope = `evidence:${ticketId}`;
    const role = options.role ?? null;
    const reported = options.reported ? JSON.stringify(options.reported) : undefined;
    const hash = key ? requestHash(file.data, role ?? '', ...(reported ? [reported] : [])) : '';
    if (key) {
      const earlier = await this.idempotency.find<EvidenceView>(this.db.manager, principal.userId, scope, key, hash);
      if (earlier) return earlier;
    }
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
    const isPhoto = PHOTO_TYPES.has(mediaType);
    const dhash = isPhoto ? await photoHash(file.data) : undefined;
    const own = isPhoto ? await photoExif(file.data, ticket.unit_tz) : undefined;
    const exif = own && withReported(own, options.reported);
    const stored = await this.db.transaction(async (m): Promise<EvidenceView> => {
      if (key) {
        const earlier = await this.idempotency.claim<EvidenceView>(m, principal.userId, scope, key, hash);
        if (earlier) return earlier;
      }
      const locked = await this.tickets.readable(m, principal, ticketId, true);
      if (!ACTIVE_STATUSES.includes(locked.status)) throw new IllegalTransition(`A ${locked.status} ticket takes no more evidence`, []);
      const now = this.clock.now();
      await m.query(
        `INSERT INTO evidence_file (sha256, size, media_type, created_at, phash, taken_at, lat, lon, device)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         ON CONFLICT (sha256) DO UPDATE SET
           phash = EXCLUDED.phash, taken_at = EXCLUDED.taken_at, lat = EXCLUDED.lat, lon = EXCLUDED.lon, device = EXCLUDED.device
         WHERE evidence_file.phash IS NULL AND EXCLUDED.phash IS NOT NULL`,
        [
          sha,
          file.data.length,
          mediaType,
          now,
          dhash === undefined ? null : toSigned64(dhash).toString(),
          own?.takenAt ?? null,
          own?.lat ?? null,
          own?.lon ?? null,
          own?.device ?? null,
        ],
      );
      const county = countyOf(locked.unit_path);
      const sameFile = await m.query<OtherTicket[]>(
        `SELECT DISTINCT t.id, t.code, u.name AS "unitName"
           FROM ticket_evidence e JOIN ticket t ON t.id = e.ticket_id ${UnitSql.join('u', 't.unit_id')}
          WHERE e.sha256 = $1 AND t.id <> $2 AND t.unit_path LIKE $3 || '%'
          ORDER BY t.code LIMIT 20`,
        [sha, ticketId, county.prefix],
      );
      const lookAlike =
        dhash === undefined
          ? []
          : await findNearDuplicates(m, {
              hash: dhash,
              countyId: county.id,
              distance: this.config.EVIDENCE_NEAR_DUPLICATE_DISTANCE,
              excludeSha256: sha,
              excludeTicketId: ticketId,
            });
      const [since] = await m.query<Array<{ since: Date }>>(
        `SELECT LEAST(t.created_at, (i.date::timestamp AT TIME ZONE t.unit_tz)) AS since
           FROM ticket t LEFT JOIN inspection i ON i.id = t.inspection_id WHERE t.id = $1`,
        [ticketId],
      );
      const location = exif?.lat !== undefined ? await Units.location(m, locked.unit_path) : null;
      const found = decideWarnings({
        isPhoto,
        exif,
        sameFile,
        lookAlike,
        ticketSince: new Date(since.since),
        ...(location ? { place: location, farKm: this.config.EVIDENCE_FAR_FROM_UNIT_KM } : {}),
      });
      // The evidence and its history entry, which names it, in one statement.
      const [row] = await m.query<Array<{ id: string }>>(
        `WITH added AS (
           INSERT INTO ticket_evidence (ticket_id, sha256, filename, uploaded_by, uploaded_at, warnings, role, reported, county_id,
                                        ${nearDuplicateColumns.join(', ')})
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id)
         INSERT INTO ticket_event (ticket_id, kind, from_status, to_status, actor_id, actor_name, data, at)
         SELECT $1, 'evidence_added', $15::text, $15::text, $4, $16::text, jsonb_build_object('evidenceId', added.id) || $17::jsonb, $5
           FROM added
         RETURNING data->>'evidenceId' AS id`,
        [
          ticketId,
          sha,
          filename,
          principal.userId,
          now,
          JSON.stringify(found),
          role,
          isPhoto ? (reported ?? null) : null,
          county.id,
          ...nearDuplicateValues(dhash),
          locked.status,
          principal.displayName,
          JSON.stringify({
            sha256: sha,
            filename,
            mediaType,
            ...(role ? { role } : {}),
            ...(exif ? { exif } : {}),
            warnings: found,
          }),
        ],
      );
      const view: EvidenceView = {
        id: row.id,
        sha256: sha,
        size: file.data.length,
        mediaType,
        filename,
        uploadedBy: principal.displayName,
        uploadedAt: now.toISOString(),
        ...(exif ? { exif } : {}),
        role,
        warnings: found,
      };
      if (key) await this.idempotency.complete(m, principal.userId, scope, key, view);
      return view;
    });
    return stored;
  }

  async list(principal: Principal, ticketId: string): Promise<EvidenceView[]> {
    await this.tickets.readable(this.db.manager, principal, ticketId);
    const rows = await this.db.query<Array<Record<string, unknown>>>(
      `SELECT e.id, e.sha256, f.size, f.media_type, e.filename, u.display_name, e.uploaded_at, e.warnings, e.role, e.reported,
              f.taken_at, f.lat, f.lon, f.device
         FROM ticket_evidence e JOIN evidence_file f ON f.sha256 = e.sha256 ${UserSql.join('u', 'e.uploaded_by')}
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
      ...(PHOTO_TYPES.has(r.media_type as string) ? { exif: withReported(exifOf(r), r.reported as ReportedFacts | null) } : {}),
      role: (r.role as EvidenceRole) ?? null,
      warnings: (r.warnings as EvidenceWarning[]) ?? [],
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

function exifOf(r: Record<string, unknown>): EvidenceExif {
  const out: EvidenceExif = {};
  if (r.taken_at) out.takenAt = new Date(r.taken_at as string).toISOString();
  if (r.lat !== null && r.lat !== undefined) out.lat = Number(r.lat);
  if (r.lon !== null && r.lon !== undefined) out.lon = Number(r.lon);
  if (r.device) out.device = r.device as string;
  return out;
}
