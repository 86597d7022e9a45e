import type { ChainReport, EvidenceView, HistoryEntry, TicketDetail } from '@app/tickets';
import { STATUS_NAMES } from '@app/tickets';
import { DateTime } from 'luxon';
import { dateLabel } from '../issue/document-content';
import type { DocumentHeader } from '../render/snapshot';
import { dossierTitle, historyLabel, WARNING_LABELS } from '../wording/dossier-wording';

/** What the dossier template prints: every field already worded, so the template only lays it out. */
export interface DossierData {
  ticket: {
    code: string;
    title: string;
    description: string | null;
    category: string | null;
    unitName: string;
    responsible: string | null;
    supervisingLeader: string | null;
    measures: string | null;
    rectificationClassLabel: string;
    deadline: string | null;
    originalDeadline: string | null;
    statusLabel: string;
    closedAt: string | null;
    closedOnTimeLabel: string | null;
    returnedCount: number;
    createdAt: string;
  };
  history: Array<{ seq: number; at: string; what: string; actor: string; comment: string | null; change: string | null }>;
  evidence: Array<{
    n: number;
    filename: string;
    mediaType: string;
    size: string;
    sha256: string;
    uploadedAt: string;
    uploadedBy: string | null;
    takenAt: string | null;
    place: string | null;
    device: string | null;
    warnings: Array<{ check: string; message: string }>;
    thumbnail: string | null;
  }>;
  verifier: { name: string; at: string; comment: string | null } | null;
  chain: { ok: boolean; entries: number; head: string | null; brokenAt: string | null };
}

function time(iso: string, zone: string): string {
  const d = DateTime.fromISO(iso, { zone });
  return d.isValid ? d.toFormat('yyyy-MM-dd HH:mm') : iso;
}

function size(bytes: number): string {
  return bytes >= 1048576 ? `${(bytes / 1048576).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

function change(e: HistoryEntry): string | null {
  const d = e.data;
  if (!d) return null;
  const shown = (v: unknown) => (v === null || v === undefined || v === '' ? '（空）' : typeof v === 'string' ? v : JSON.stringify(v));
  if (typeof d.field === 'string') return `${d.field}：${shown(d.from)} → ${shown(d.to)}`;
  if (typeof d.deadline === 'string') return `整改时限：${d.deadline}`;
  return null;
}

/** Words the ticket, its history, its evidence and its chain for the dossier, in the owner unit's zone. */
export function dossierData(
  ticket: TicketDetail,
  history: HistoryEntry[],
  evidence: Array<EvidenceView & { thumbnail: string | null }>,
  chain: ChainReport,
  zone: string,
): DossierData {
  const approval = [...history].reverse().find((e) => e.action === 'approve');
  return {
    ticket: {
      code: ticket.code,
      title: ticket.title,
      description: ticket.description,
      category: ticket.category,
      unitName: ticket.unitName,
      responsible: ticket.responsible,
      supervisingLeader: ticket.supervisingLeader,
      measures: ticket.measures,
      rectificationClassLabel: ticket.rectificationClassLabel,
      deadline: ticket.deadline,
      originalDeadline: ticket.originalDeadline && ticket.originalDeadline !== ticket.deadline ? ticket.originalDeadline : null,
      statusLabel: STATUS_NAMES[ticket.status],
      closedAt: ticket.closedAt ? time(ticket.closedAt, zone) : null,
      closedOnTimeLabel: ticket.closedOnTime === null ? null : ticket.closedOnTime ? '按期销号' : '逾期销号',
      returnedCount: ticket.returnedCount,
      createdAt: time(ticket.createdAt, zone),
    },
    history: history.map((e, i) => ({
      seq: i + 1,
      at: time(e.at, zone),
      what: historyLabel(e.kind, e.action),
      actor: e.actor.name ?? '系统',
      comment: e.comment,
      change: change(e),
    })),
    evidence: evidence.map((f, i) => ({
      n: i + 1,
      filename: f.filename,
      mediaType: f.mediaType,
      size: size(f.size),
      sha256: f.sha256,
      uploadedAt: time(f.uploadedAt, zone),
      uploadedBy: f.uploadedBy,
      // What the phone reported beside a file without its own EXIF says so.
      takenAt: f.exif?.takenAt ? `${time(f.exif.takenAt, zone)}${reportedMark(f.exif, 'takenAt')}` : null,
      place:
        f.exif?.lat !== undefined && f.exif?.lon !== undefined
          ? `${f.exif.lat.toFixed(5)}, ${f.exif.lon.toFixed(5)}${reportedMark(f.exif, 'location')}`
          : null,
      device: f.exif?.device ?? null,
      warnings: f.warnings.map((w) => ({ check: WARNING_LABELS[w.code], message: w.message })),
      thumbnail: f.thumbnail,
    })),
    verifier: approval ? { name: approval.actor.name ?? '', at: time(approval.at, zone), comment: approval.comment } : null,
    chain: {
      ok: chain.ok,
      entries: chain.entries,
      head: chain.head,
      brokenAt: chain.brokenAt ? `第${chain.brokenAt.seq ?? 1}条记录（${chain.brokenAt.reason}）` : null,
    },
  };
}

function reportedMark(exif: { fromClient?: string[] }, fact: 'takenAt' | 'location'): string {
  return exif.fromClient?.includes(fact) ? '（手机上报）' : '';
}

/** What the dossier template is rendered with: the 公文 header of the owner unit, issued `now`. */
export function dossierContext(
  data: DossierData,
  unitName: string,
  zone: string,
  now: Date,
): { locale: 'zh'; header: Partial<DocumentHeader>; data: DossierData } {
  return {
    locale: 'zh',
    header: {
      issuer: unitName,
      numberLabel: data.ticket.code,
      title: dossierTitle(data.ticket.code),
      unitName,
      issuedDate: dateLabel(DateTime.fromJSDate(now, { zone }), 'zh'),
      timezone: zone,
      corrects: null,
    },
    data,
  };
}
