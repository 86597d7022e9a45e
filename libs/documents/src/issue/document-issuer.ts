import { Injectable } from '@nestjs/common';
import { Clock, ValidationFailed } from '@app/platform';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { DocumentKind, Locale } from '../kinds';
import type { DocumentSnapshot } from '../render/snapshot';
import { documentData } from '../wording/bulletin-wording';
import { TemplateRegistry } from '../render/template-registry';
import { documentTitle, issuedDateLabel, issuerName, numberLabel, periodLabel } from './document-content';

export interface UnitRef {
  id: string;
  name: string;
  timezone: string;
}

/** What to issue: a kind of document about a unit for a period, made of `data`. */
export interface IssueInput {
  kind: DocumentKind;
  /** The unit the document is about (a team for its task list, else the township). */
  unit: UnitRef;
  /** The township whose office (or inspection group) issues it and numbers it. */
  township: UnitRef;
  period: string;
  data: unknown;
  locale: Locale;
  issuedBy: { id: string; name: string } | null;
  corrects: { id: string; numberLabel: string; title: string } | null;
  /** The cycle output it is made of; issuing the same output twice is refused by the schema. */
  sourceOutputId: string | null;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Issues documents of record inside the caller's transaction: takes the next number of the
 * issuer's (kind, year) sequence under its row lock, renders the snapshot, stores snapshot,
 * HTML and sha256. Rolled back with the transaction, number included.
 */
@Injectable()
export class DocumentIssuer {
  constructor(
    private readonly templates: TemplateRegistry,
    private readonly clock: Clock,
  ) {}

  render(snapshot: DocumentSnapshot): { html: string; sha256: string } {
    const html = this.templates.render(snapshot);
    return { html, sha256: sha256(html) };
  }

  async issue(m: EntityManager, input: IssueInput): Promise<string> {
    const { kind, unit, township, period, locale } = input;
    // Checked before a number is taken, so a kind without a template leaves no gap in the numbers.
    if (!this.templates.has(kind, locale)) throw ValidationFailed.field('kind', `there is no ${locale} template for ${kind} documents`);
    const year = Number(period.slice(0, 4));
    const [{ last_number: number }] = await m.query<Array<{ last_number: number }>>(
      `INSERT INTO document_sequence (issuer_unit_id, kind, year, last_number) VALUES ($1, $2, $3, 1)
       ON CONFLICT (issuer_unit_id, kind, year) DO UPDATE SET last_number = document_sequence.last_number + 1
       RETURNING last_number`,
      [township.id, kind, year],
    );
    const issuedAt = this.clock.now();
    const snapshot: DocumentSnapshot = {
      kind,
      locale,
      header: {
        issuer: issuerName(kind, township.name, input.data),
        number,
        year,
        numberLabel: numberLabel(kind, year, number, locale),
        title: documentTitle(kind, locale, input.data, township.name, unit.name, period),
        unitName: unit.name,
        townshipName: township.name,
        period,
        periodLabel: periodLabel(period, locale),
        issuedDate: issuedDateLabel(issuedAt, township.timezone, locale),
        timezone: township.timezone,
        issuedBy: input.issuedBy?.name ?? null,
        corrects: input.corrects,
      },
      data: documentData(kind, input.data),
    };
    const { html, sha256: hash } = this.render(snapshot);
    const [row] = await m.query<Array<{ id: string }>>(
      `INSERT INTO document (kind, unit_id, issuer_unit_id, period, year, number, number_label, title, issuer_name, issued_by,
                             issued_by_name, issued_at, locale, data, html, sha256, corrects_id, source_output_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18) RETURNING id`,
      [
        kind,
        unit.id,
        township.id,
        period,
        year,
        number,
        snapshot.header.numberLabel,
        snapshot.header.title,
        snapshot.header.issuer,
        input.issuedBy?.id ?? null,
        input.issuedBy?.name ?? null,
        issuedAt,
        locale,
        JSON.stringify(snapshot),
        html,
        hash,
        input.corrects?.id ?? null,
        input.sourceOutputId,
      ],
    );
    return row.id;
  }
}
