import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CHECKLIST_STATES, ChecklistItem, DEFAULT_CHECKLIST, RankingsQuery, SelfCheckService, SelfCheckView } from '@app/cycles';
import type { RankingEntry } from '@app/assessment';
import { CurrentPrincipal, Principal } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { MONTH_OR_YEAR_PERIOD, MONTH_OR_YEAR_PERIOD_MESSAGE, MONTH_PERIOD, MONTH_PERIOD_MESSAGE } from '../common/period';
import { ApiErrors, ApiResult } from '../common/openapi';
import { ApiIdempotent, IdempotencyKey } from '../common/idempotency-key';

class ChecklistItemDto {
  @ApiProperty({ example: DEFAULT_CHECKLIST[0] }) @IsString() @MinLength(1) @MaxLength(200) item!: string;
  @ApiProperty({ enum: CHECKLIST_STATES }) @IsIn(CHECKLIST_STATES) status!: ChecklistItem['status'];
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) note?: string;
}

class ProblemDto {
  @ApiProperty({ example: '2户危房改造未完成' }) @IsString() @MinLength(1) @MaxLength(500) title!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) description?: string;
  @ApiPropertyOptional({ example: '两不愁三保障' }) @IsOptional() @IsString() @MaxLength(50) category?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) responsible?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) measures?: string;
  @ApiPropertyOptional({ example: '2026-07-31' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'deadline must be a date YYYY-MM-DD' })
  deadline?: string;
}

export class FileSelfCheckDto {
  @ApiProperty({ format: 'uuid', description: 'the team filing' }) @IsUUID() unitId!: string;
  @ApiProperty({ example: '2026-07' }) @Matches(MONTH_PERIOD, { message: MONTH_PERIOD_MESSAGE }) period!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(20000) summary!: string;
  @ApiProperty({ type: [ChecklistItemDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => ChecklistItemDto)
  checklist!: ChecklistItemDto[];
  @ApiProperty({ type: [ProblemDto] })
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => ProblemDto)
  problems!: ProblemDto[];
}

class SelfCheckQuery {
  @ApiProperty({ format: 'uuid' }) @IsUUID() unitId!: string;
  @ApiProperty({ example: '2026-07' }) @Matches(MONTH_PERIOD, { message: MONTH_PERIOD_MESSAGE }) period!: string;
}

class RankingsQueryDto {
  @ApiProperty({ format: 'uuid', description: 'the township' }) @IsUUID() unitId!: string;
  @ApiProperty({ example: '2026-07', description: 'a month, or a year (2026) for the year-end roll-up' })
  @Matches(MONTH_OR_YEAR_PERIOD, { message: MONTH_OR_YEAR_PERIOD_MESSAGE })
  period!: string;
}

@ApiTags('cycles')
@ApiBearerAuth()
@Controller()
export class SelfChecksController {
  constructor(
    private readonly selfChecks: SelfCheckService,
    private readonly rankings: RankingsQuery,
  ) {}

  @Post('self-checks')
  @ApiResult('SelfCheck', 201)
  @ApiErrors(403, 404, 409, 422)
  @ApiOperation({
    summary:
      'A team files its monthly self-check report (自查报告); its problems become tickets (source self_check) under the rules of every ticket: 422 lists each problem that breaks one (an unknown category, say) and nothing is filed',
  })
  @ApiIdempotent()
  file(
    @CurrentPrincipal() p: Principal,
    @Body() body: FileSelfCheckDto,
    @IdempotencyKey() key: string | undefined,
  ): Promise<SelfCheckView> {
    return this.selfChecks.file(p, body, { idempotencyKey: key });
  }

  @Get('self-checks')
  @ApiResult('SelfCheckList')
  @ApiErrors(404)
  @ApiOperation({ summary: 'Self-check reports of a unit’s subtree for a month' })
  list(@CurrentPrincipal() p: Principal, @Query() q: SelfCheckQuery): Promise<SelfCheckView[]> {
    return this.selfChecks.list(p, q);
  }

  @Get('self-checks/checklist')
  @ApiResult('TextItems')
  @ApiOperation({ summary: 'The default checklist items of a self-check report' })
  checklist(): { items: string[] } {
    return { items: DEFAULT_CHECKLIST };
  }

  @Get('self-checks/:id')
  @ApiResult('SelfCheck')
  get(@CurrentPrincipal() p: Principal, @Param('id', new IdPipe('Self-check')) id: string): Promise<SelfCheckView> {
    return this.selfChecks.get(p, id);
  }

  @Get('rankings')
  @ApiResult('Rankings')
  @ApiErrors(403, 404)
  @ApiOperation({ summary: 'A township’s ranking for a month (provisional until the report step runs), or the year’s roll-up' })
  ranking(@CurrentPrincipal() p: Principal, @Query() q: RankingsQueryDto): Promise<RankingEntry[]> {
    return this.rankings.get(p, q.unitId, q.period);
  }
}
