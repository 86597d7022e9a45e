import { ValidationFailed } from '@app/platform';
import type { EntityManager } from 'typeorm';
import { PHOTO_TYPES } from '../evidence/photo-facts';
import type { Action } from '../domain/ticket-state';
import type { CategoryList } from './category-list';
import type { TicketRow } from './ticket-view';

interface CloseOutRequest {
  action: Action;
  comment?: string;
  evidenceIds?: string[];
}

/**
 * A verifier who approves a ticket whose evidence carries warnings must say why; the reason and
 * the warnings' codes go into the approval's history entry. Nothing to record without warnings.
 */
export function approvalOverWarnings(
  t: Pick<TicketRow, 'evidence_warnings'>,
  req: CloseOutRequest,
): { evidenceWarnings: { codes: string[]; reason: string } } | undefined {
  if (req.action !== 'approve') return undefined;
  const codes = [...new Set((t.evidence_warnings ?? []).map((w) => w.code))];
  if (!codes.length) return undefined;
  const reason = req.comment?.trim();
  if (!reason) {
    throw ValidationFailed.field('comment', `the evidence has warnings (${codes.join(', ')}): write why you approve it anyway`);
  }
  return { evidenceWarnings: { codes, reason } };
}

/**
 * A category configured with `beforeAfter: true` closes out only with at least one photo marked
 * before (整改前) and one marked after (整改后) the work among the evidence the submission names.
 */
export async function checkBeforeAfter(
  m: EntityManager,
  t: Pick<TicketRow, 'id' | 'category'>,
  req: CloseOutRequest,
  categories: CategoryList,
): Promise<void> {
  if (req.action !== 'submit' || !categories.needsBeforeAfter(t.category)) return;
  const rows = await m.query<Array<{ role: string }>>(
    `SELECT DISTINCT e.role FROM ticket_evidence e JOIN evidence_file f ON f.sha256 = e.sha256
      WHERE e.ticket_id = $1 AND e.id = ANY($2::uuid[]) AND e.role IS NOT NULL AND f.media_type = ANY($3::text[])`,
    [t.id, req.evidenceIds ?? [], [...PHOTO_TYPES]],
  );
  const roles = new Set(rows.map((r) => r.role));
  const missing = (['before', 'after'] as const).filter((r) => !roles.has(r));
  if (missing.length) {
    throw ValidationFailed.field(
      'evidenceIds',
      `the category ${t.category} needs a before/after photo pair (beforeAfter): name at least one photo uploaded with role before (整改前) and one with role after (整改后); missing ${missing.join(' and ')}`,
    );
  }
}
