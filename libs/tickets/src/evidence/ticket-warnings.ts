import type { EvidenceWarning } from './evidence-checks';

/** A warning of the checks against 纸面销号 with the evidence it was raised on. */
export interface EvidenceWarningOnTicket extends EvidenceWarning {
  evidenceId: string;
  filename: string;
}

/**
 * Every warning raised on a ticket's evidence, oldest upload first, each with the evidence it
 * was raised on: the column's value for one ticket, read in the statement that reads the ticket
 * (no query per row). The ticket's page and the ledger both read it.
 */
export const SQL_EVIDENCE_WARNINGS = (ticket: string) =>
  `(SELECT coalesce(jsonb_agg(w || jsonb_build_object('evidenceId', e.id, 'filename', e.filename) ORDER BY e.uploaded_at, e.id), '[]'::jsonb)
      FROM ticket_evidence e CROSS JOIN LATERAL jsonb_array_elements(e.warnings) w WHERE e.ticket_id = ${ticket})`;
