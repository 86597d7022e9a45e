import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsOptional,
  IsUUID,
  Matches,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { DOCUMENT_KINDS, DocumentKind, isPeriodOfKind, Locale, LOCALES, periodFormatOf } from '@app/documents';
import { PageQuery, toBool } from '../common/pagination';
import { MONTH_OR_YEAR_PERIOD, MONTH_OR_YEAR_PERIOD_MESSAGE } from '../common/period';

/** A month for the cycle's kinds; a ledger may also cover a whole year. */
@ValidatorConstraint({ name: 'periodOfKind' })
class PeriodOfKind implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return isPeriodOfKind((args.object as IssueDocumentDto).kind, value) && MONTH_OR_YEAR_PERIOD.test(value);
  }

  defaultMessage(args: ValidationArguments): string {
    return `period must be ${periodFormatOf((args.object as IssueDocumentDto).kind)}, from 2000 to 2100`;
  }
}

export class ListDocumentsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() unitId?: string;
  @ApiPropertyOptional({ description: 'include the documents of the units under unitId' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  subtree?: boolean;
  @ApiPropertyOptional({ enum: DOCUMENT_KINDS }) @IsOptional() @IsIn(DOCUMENT_KINDS) kind?: DocumentKind;
  @ApiPropertyOptional({ example: '2026-07' })
  @IsOptional()
  @Matches(MONTH_OR_YEAR_PERIOD, { message: MONTH_OR_YEAR_PERIOD_MESSAGE })
  period?: string;
}

export class IssueDocumentDto {
  @ApiProperty({ enum: DOCUMENT_KINDS }) @IsIn(DOCUMENT_KINDS) kind!: DocumentKind;
  @ApiProperty({
    format: 'uuid',
    description: 'the township, or the team for a task list or self-check report; for a ledger, any unit (its subtree is covered)',
  })
  @IsUUID()
  unitId!: string;
  @ApiProperty({ example: '2026-07', description: 'YYYY-MM; a ledger also takes YYYY (the tickets found in that month or year)' })
  @Validate(PeriodOfKind)
  period!: string;
  @ApiPropertyOptional({ format: 'uuid', description: 'the document this issue corrects (更正); it gets a new number' })
  @IsOptional()
  @IsUUID()
  corrects?: string;
  @ApiPropertyOptional({ enum: LOCALES, default: 'zh' }) @IsOptional() @IsIn(LOCALES) locale?: Locale;
}

class Ref {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '第11期' }) numberLabel!: string;
}

class Issuer {
  @ApiProperty({ format: 'uuid', nullable: true }) id!: string | null;
  @ApiProperty() name!: string;
}

/** The OpenAPI shape of a document of record. */
export class DocumentSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ enum: DOCUMENT_KINDS }) kind!: DocumentKind;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ example: '2026-07' }) period!: string;
  @ApiProperty({ example: 11, description: '期数 / 文号 number, per issuer, kind and year' }) number!: number;
  @ApiProperty({ example: '第11期' }) numberLabel!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ example: '中厂镇效能督查组' }) issuer!: string;
  @ApiProperty({ format: 'date-time' }) issuedAt!: string;
  @ApiProperty({ type: Issuer, nullable: true, description: 'null when the cycle issued it by itself' }) issuedBy!: Issuer | null;
  @ApiProperty({ description: 'sha256 of the stored HTML' }) sha256!: string;
  @ApiProperty({ enum: LOCALES }) locale!: Locale;
  @ApiProperty({ type: Ref, nullable: true, description: 'the document this one corrects (更正)' }) corrects!: Ref | null;
  @ApiProperty({ type: Ref, nullable: true }) correctedBy!: Ref | null;
  @ApiProperty({ format: 'uuid', nullable: true }) sourceOutputId!: string | null;
}

export class DocumentDetailDto extends DocumentSummaryDto {
  @ApiProperty({ description: 'the data snapshot the document was rendered from: kind, locale, header and data' })
  snapshot!: Record<string, unknown>;
}

export class DocumentPageDto {
  @ApiProperty({ type: [DocumentSummaryDto] }) items!: DocumentSummaryDto[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}
