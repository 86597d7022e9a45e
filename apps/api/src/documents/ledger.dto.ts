import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { normaliseDocNumber, SOURCES, Source, STATUSES, Status } from '@app/tickets';
import { toBool, toInt } from '../common/pagination';
import { EvidenceWarningDto } from '../tickets/tickets.dto';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const LEDGER_FORMATS = ['json', 'xlsx', 'csv'] as const;
export type LedgerFormat = (typeof LEDGER_FORMATS)[number];

export class LedgerQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'the unit whose ledger this is; without it, every unit you may see' })
  @IsOptional()
  @IsUUID()
  unitId?: string;

  @ApiPropertyOptional({ default: true, description: 'with unitId: include the units under it (false: the unit’s own tickets only)' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  subtree?: boolean;

  @ApiPropertyOptional({
    example: '2026-01-01',
    description: 'found on or after this day (the inspection’s date, else the day the ticket was raised)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'from must be YYYY-MM-DD' })
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-31', description: 'found on or before this day' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'to must be YYYY-MM-DD' })
  to?: string;

  @ApiPropertyOptional({ enum: SOURCES }) @IsOptional() @IsIn(SOURCES) source?: Source;

  @ApiPropertyOptional({ example: '第三轮', description: 'tickets of inspections of this round (轮次), exactly' })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1)
  @MaxLength(50)
  round?: string;

  @ApiPropertyOptional({
    example: '黔巡反馈〔2026〕12号',
    description: 'tickets of inspections of this feedback document (反馈文号); [2026] reads as 〔2026〕',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normaliseDocNumber(value) : value))
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  docNumber?: string;

  @ApiPropertyOptional({ enum: LEDGER_FORMATS, default: 'json', description: 'xlsx and csv stream every row; json is paged' })
  @IsOptional()
  @IsIn(LEDGER_FORMATS)
  format?: LedgerFormat;

  @ApiPropertyOptional({ default: 1, minimum: 1, description: 'json only' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  page = 1;

  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 500, description: 'json only; take xlsx or csv for the whole ledger' })
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(500, { message: 'pageSize must not be greater than 500; format=xlsx or format=csv gives the whole ledger' })
  pageSize = 100;
}

/** A warning of the checks against 纸面销号 with the evidence it was raised on, as a ledger line carries it. */
export class LedgerEvidenceWarningDto extends EvidenceWarningDto {
  @ApiProperty({ format: 'uuid' }) evidenceId!: string;
  @ApiProperty() filename!: string;
}

/** The OpenAPI shape of one ledger line. */
export class LedgerRowDto {
  @ApiProperty({ example: 1 }) seq!: number;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: '中厂镇-2026-0042' }) code!: string;
  @ApiProperty({ enum: SOURCES }) source!: Source;
  @ApiProperty({ example: '巡察' }) sourceLabel!: string;
  @ApiProperty({ nullable: true, type: String }) inspectionTitle!: string | null;
  @ApiProperty({ nullable: true, type: String }) issuedBy!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '第三轮', description: 'the inspection’s round (轮次)' }) round!: string | null;
  @ApiProperty({ nullable: true, type: String, example: '黔巡反馈〔2026〕12号', description: '反馈文号' }) docNumber!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date', description: 'the feedback document’s date' }) docDate!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty({ nullable: true, type: String }) category!: string | null;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ nullable: true, type: String }) responsible!: string | null;
  @ApiProperty({ example: '2026-03-10', description: 'the inspection’s date, else the day the ticket was raised' }) foundOn!: string;
  @ApiProperty({ nullable: true, type: String, description: '原定整改时限: the deadline before any extension' }) originalDeadline!:
    string | null;
  @ApiProperty({ nullable: true, type: String }) deadline!: string | null;
  @ApiProperty({ nullable: true, type: String }) measures!: string | null;
  @ApiProperty({ enum: STATUSES }) status!: Status;
  @ApiProperty({ example: '已销号' }) statusLabel!: string;
  @ApiProperty({ nullable: true, type: String }) closedOn!: string | null;
  @ApiProperty({ enum: ['on_time', 'late'], nullable: true }) closeOut!: 'on_time' | 'late' | null;
  @ApiProperty({ nullable: true, type: String, example: '按期销号' }) closeOutLabel!: string | null;
  @ApiProperty() overdue!: boolean;
  @ApiProperty() daysOverdue!: number;
  @ApiProperty({ description: 'times the close-out was sent back (退回)' }) returned!: number;
  @ApiProperty({ nullable: true, type: String, description: 'who accepted the close-out' }) verifier!: string | null;
  @ApiProperty({ type: [String], example: ['中厂镇-2026-0007'], description: '屡查屡犯: the codes of the closed tickets it repeats' })
  repeatOf!: string[];
  @ApiProperty({ type: [LedgerEvidenceWarningDto], description: '佐证预警: every warning raised on its evidence, oldest upload first' })
  evidenceWarnings!: LedgerEvidenceWarningDto[];
}

class LedgerCountsDto {
  @ApiProperty() found!: number;
  @ApiProperty() closed!: number;
  @ApiProperty() closedOnTime!: number;
  @ApiProperty() closedLate!: number;
  @ApiProperty({ description: 'neither closed nor cancelled' }) open!: number;
  @ApiProperty() overdue!: number;
  @ApiProperty() cancelled!: number;
  @ApiProperty({ description: 'tickets whose close-out was sent back at least once' }) returned!: number;
  @ApiProperty({ example: 0.9758, description: 'closed / (found − cancelled)' }) closureRate!: number;
}

class LedgerSourceTotalsDto extends LedgerCountsDto {
  @ApiProperty({ enum: SOURCES }) source!: Source;
  @ApiProperty() label!: string;
}

class LedgerUnitTotalsDto extends LedgerCountsDto {
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ enum: ['green', 'yellow', 'red'], description: 'the unit’s light by the rule of config/ranking.yaml (lights)' })
  light!: 'green' | 'yellow' | 'red';
}

class LedgerRoundTotalsDto extends LedgerCountsDto {
  @ApiProperty({ nullable: true, type: String, example: '第三轮', description: 'null: tickets of no round' }) round!: string | null;
}

class LedgerDocumentTotalsDto extends LedgerCountsDto {
  @ApiProperty({ nullable: true, type: String, example: '黔巡反馈〔2026〕12号', description: 'null: tickets of no document' })
  docNumber!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date' }) docDate!: string | null;
  @ApiProperty({ nullable: true, type: String }) round!: string | null;
}

class LedgerTotalsDto extends LedgerCountsDto {
  @ApiProperty({ type: [LedgerSourceTotalsDto] }) bySource!: LedgerSourceTotalsDto[];
  @ApiProperty({ type: [LedgerUnitTotalsDto] }) byUnit!: LedgerUnitTotalsDto[];
  @ApiProperty({ type: [LedgerRoundTotalsDto], description: 'in round order (第二轮 before 第十轮), no round last' })
  byRound!: LedgerRoundTotalsDto[];
  @ApiProperty({ type: [LedgerDocumentTotalsDto], description: 'by the document’s date, no document last' })
  byDocument!: LedgerDocumentTotalsDto[];
  @ApiProperty({ example: '排查出问题165个，已整改销号161个，其中按期销号150个、逾期销号11个，销号率97.6%，逾期未整改2个。' })
  sentence!: string;
}

export class LedgerPageDto {
  @ApiProperty({ type: [LedgerRowDto] }) rows!: LedgerRowDto[];
  @ApiProperty({ type: LedgerTotalsDto, description: 'over every row the filters select, not only this page' }) totals!: LedgerTotalsDto;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
  @ApiProperty({ description: 'rows the filters select' }) total!: number;
}
