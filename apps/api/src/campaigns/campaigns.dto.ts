import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CAMPAIGN_KINDS, CampaignKind, Verdict, VERDICTS, ATTRIBUTES } from '@app/campaigns';
import { CLASSES, RectificationClass } from '@app/tickets';
import { PageQuery, toBool } from '../common/pagination';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CampaignRulesDto {
  @ApiPropertyOptional({ description: 'villages drawn a month (随机抽查村数)', example: 2, minimum: 1, maximum: 500 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(500)
  villages?: number;
  @ApiPropertyOptional({ description: 'households drawn in each village', example: 20, minimum: 1, maximum: 1000 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1000)
  householdsPerVillage?: number;
  @ApiPropertyOptional({
    description: 'rounds in which a household is not drawn twice: 1 = this campaign, 2 = this one and the one before it, …',
    example: 1,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  noRepeatWithin?: number;
  @ApiPropertyOptional({ description: 'draw each village’s households in proportion to their 属性 (strata)' })
  @IsOptional()
  @IsBoolean()
  stratify?: boolean;
  @ApiPropertyOptional({ enum: CLASSES, description: 'rectification class of the tickets wrong verdicts open' })
  @IsOptional()
  @IsIn(CLASSES)
  rectificationClass?: RectificationClass;
  @ApiPropertyOptional({ description: 'days a `deadline` ticket gets', example: 30 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(366)
  deadlineDays?: number;
}

export class CreateCampaignDto {
  @ApiProperty({ example: '诗礼乡脱贫攻坚精准核查' }) @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @ApiProperty({ enum: CAMPAIGN_KINDS }) @IsIn(CAMPAIGN_KINDS) kind!: CampaignKind;
  @ApiProperty({ format: 'uuid', description: 'the township or county checked' }) @IsUUID() unitId!: string;
  @ApiProperty({ example: '2026-07', description: 'a month YYYY-MM or months YYYY-MM/YYYY-MM' })
  @IsString()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])(\/\d{4}-(0[1-9]|1[0-2]))?$/, { message: 'period must be YYYY-MM or YYYY-MM/YYYY-MM' })
  period!: string;
  @ApiPropertyOptional({ example: '诗礼乡脱贫攻坚指挥部', description: 'issuing body (defaults to the unit’s name)' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  issuedBy?: string;
  @ApiPropertyOptional({ example: '诗礼发〔2017〕8号' }) @IsOptional() @IsString() @MaxLength(100) docNumber?: string;
  @ApiPropertyOptional({ type: CampaignRulesDto }) @IsOptional() @ValidateNested() @Type(() => CampaignRulesDto) rules?: CampaignRulesDto;
}

export class ListCampaignsQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() unitId?: string;
  @ApiPropertyOptional({ enum: CAMPAIGN_KINDS }) @IsOptional() @IsIn(CAMPAIGN_KINDS) kind?: CampaignKind;
}

export class SampleDto {
  @ApiPropertyOptional({
    example: '2026-07-督查组',
    description: 'the seed of the draw; the same seed on the same roster draws the same sample',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  seed?: string;
  @ApiPropertyOptional({ example: '2026-07', description: 'the month drawn for (default: this month, within the campaign)' })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'month must be YYYY-MM' })
  month?: string;
}

export class VerdictItemDto {
  @ApiProperty({ format: 'uuid' }) @IsUUID() householdId!: string;
  @ApiProperty({ enum: VERDICTS }) @IsIn(VERDICTS) verdict!: Verdict;
  @ApiPropertyOptional({ description: 'persons counted (default: the roster’s 人数)', minimum: 0, maximum: 99 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(99)
  persons?: number;
  @ApiPropertyOptional({ example: '家中有营运货车一辆' }) @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

export class VerdictsDto {
  @ApiProperty({ type: [VerdictItemDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @ValidateNested({ each: true })
  @Type(() => VerdictItemDto)
  items!: VerdictItemDto[];
}

export class HouseholdsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() villageId?: string;
  @ApiPropertyOptional({ description: 'only the drawn (true) or the not drawn (false) households' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  sampled?: boolean;
}

export class ReportQuery {
  @ApiPropertyOptional({ enum: ['html', 'pdf', 'xlsx'] }) @IsOptional() @IsIn(['html', 'pdf', 'xlsx']) format?: 'html' | 'pdf' | 'xlsx';
  @ApiPropertyOptional({ enum: ['zh', 'en'] }) @IsOptional() @IsIn(['zh', 'en']) lang?: 'zh' | 'en';
}

/* Response shapes, for the OpenAPI page. */

export class RatioDto {
  @ApiProperty() count!: number;
  @ApiProperty() base!: number;
  @ApiProperty({ nullable: true, example: 0.0523 }) rate!: number | null;
  @ApiProperty({ example: '5.23%' }) label!: string;
}

export class RateFiguresDto {
  @ApiProperty({ type: RatioDto }) households!: RatioDto;
  @ApiProperty({ type: RatioDto }) persons!: RatioDto;
}

export class RatesDto {
  @ApiProperty({ type: RateFiguresDto, description: '错评率: 错评户 / registered (建档立卡) households checked' })
  wronglyIncluded!: RateFiguresDto;
  @ApiProperty({ type: RateFiguresDto, description: '漏评: over non-registered households checked' }) wronglyExcluded!: RateFiguresDto;
  @ApiProperty({ type: RateFiguresDto, description: '错退率: 错退户 / exited (已脱贫) households checked' }) wronglyExited!: RateFiguresDto;
  @ApiProperty({ type: RateFiguresDto, description: '返贫: over exited households checked' }) returnedToPoverty!: RateFiguresDto;
}

export class CampaignSummaryDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', description: 'the inspection (source verification) its tickets belong to' }) inspectionId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ enum: CAMPAIGN_KINDS }) kind!: CampaignKind;
  @ApiProperty() kindLabel!: string;
  @ApiProperty({ format: 'uuid' }) unitId!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty({ example: '2026-07/2026-09' }) period!: string;
  @ApiProperty() issuedBy!: string;
  @ApiProperty({ type: CampaignRulesDto }) rules!: CampaignRulesDto;
  @ApiProperty() createdAt!: string;
}

export class CampaignDetailDto extends CampaignSummaryDto {
  @ApiProperty() households!: number;
  @ApiProperty() persons!: number;
  @ApiProperty() sampled!: number;
  @ApiProperty({ nullable: true, description: 'households on this roster the last round did not check' }) notCheckedLastRound!:
    number | null;
  @ApiProperty({ description: 'checked households and persons, by 属性 and by verdict' }) counts!: object;
  @ApiProperty({ type: RatesDto }) rates!: RatesDto;
  @ApiProperty({ description: 'draws: seq, month, seed, algorithm, villages, households', type: [Object] }) draws!: object[];
  @ApiProperty({ description: 'cross-inspection: each drawn village and the team sent to check it', type: [Object] })
  assignments!: object[];
  @ApiProperty({ description: 'per village: roster, counts and rates', type: [Object] }) villages!: object[];
}

export class RosterImportResultDto {
  @ApiProperty({ description: 'households put on the roster' }) created!: number;
  @ApiProperty({ description: 'of those, households known from an earlier roster' }) matched!: number;
}

export class SampledHouseholdDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() headName!: string;
  @ApiProperty({ nullable: true, example: '420921********1234' }) idMasked!: string | null;
  @ApiProperty({ nullable: true }) group!: string | null;
  @ApiProperty() persons!: number;
  @ApiProperty({ enum: ATTRIBUTES }) attribute!: string;
}

export class SampledVillageDto {
  @ApiProperty({ format: 'uuid' }) villageId!: string;
  @ApiProperty() villageName!: string;
  @ApiProperty({ nullable: true, description: 'the team sent to check it, never its own' }) team!: object | null;
  @ApiProperty({ type: [SampledHouseholdDto] }) households!: SampledHouseholdDto[];
}

export class DrawDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() seq!: number;
  @ApiProperty() month!: string;
  @ApiProperty({ description: 'the seed: the same seed on the same roster draws the same sample' }) seed!: string;
  @ApiProperty() algorithm!: string;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [SampledVillageDto] }) villages!: SampledVillageDto[];
}

export class VerdictOutcomeDto {
  @ApiProperty({ format: 'uuid' }) householdId!: string;
  @ApiProperty({ enum: VERDICTS }) verdict!: Verdict;
  @ApiProperty() persons!: number;
  @ApiProperty({ nullable: true, format: 'uuid' }) ticketId!: string | null;
  @ApiProperty({ enum: ['created', 'updated', 'unchanged'] }) outcome!: string;
}

export class VerdictResultDto {
  @ApiProperty({ type: [VerdictOutcomeDto] }) items!: VerdictOutcomeDto[];
  @ApiProperty() ticketsOpened!: number;
}

export class HouseholdPageDto {
  @ApiProperty({ type: [Object] }) items!: object[];
  @ApiProperty() total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() pageSize!: number;
}
