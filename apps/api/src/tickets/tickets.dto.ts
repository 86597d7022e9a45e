import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
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
import { ACTIONS, Action, CLASSES, RectificationClass, SOURCES, Source, STATUSES, Status } from '@app/tickets';
import { PageQuery, toBool } from '../common/pagination';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class CreateInspectionDto {
  @ApiProperty({ enum: SOURCES }) @IsIn(SOURCES) source!: Source;
  @ApiProperty({ example: '州委第一巡察组巡察反馈问题' }) @Transform(trim) @IsString() @MinLength(1) @MaxLength(200) title!: string;
  @ApiProperty({ example: '州委第一巡察组' }) @Transform(trim) @IsString() @MinLength(1) @MaxLength(100) issuedBy!: string;
  @ApiPropertyOptional({ example: '黔巡反馈〔2026〕12号', description: '反馈文号' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MaxLength(100)
  docNumber?: string;
  @ApiPropertyOptional({ example: '2026-03-10', description: 'the date of the feedback document' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'docDate must be YYYY-MM-DD' })
  docDate?: string;
  @ApiPropertyOptional({ example: '第三轮', description: '轮次' }) @IsOptional() @Transform(trim) @IsString() @MaxLength(50) round?: string;
  @ApiProperty({ example: '2026-07-28' }) @IsISO8601({ strict: true }) @Matches(DATE, { message: 'date must be YYYY-MM-DD' }) date!: string;
  @ApiProperty({ format: 'uuid', description: 'the inspected unit' }) @IsUUID() unitId!: string;
}

export class ListInspectionsQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() unitId?: string;
  @ApiPropertyOptional({ enum: SOURCES }) @IsOptional() @IsIn(SOURCES) source?: Source;
}

export class ImportFindingsQuery {
  @ApiPropertyOptional({ description: 'validate only; nothing is written' }) @IsOptional() @Transform(toBool) @IsBoolean() dryRun?: boolean;
  @ApiPropertyOptional({
    description: 'the worksheet to read, by name; otherwise the first sheet with a findings header',
    example: '问题清单',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  sheet?: string;
  @ApiPropertyOptional({
    description:
      'JSON: field → column header, for a sheet whose header is not recognised (fields: no, problem, category, unit, responsible, measures, deadline, leader, class, progress); remembered for the issuing body',
    example: '{"problem":"情况","unit":"单位","deadline":"期限"}',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  mapping?: string;
}

class MilestoneDto {
  @ApiProperty({ example: '2026-08-15' }) @IsISO8601({ strict: true }) @Matches(DATE, { message: 'date must be YYYY-MM-DD' }) date!: string;
  @ApiProperty({ example: '完成入户核查' }) @IsString() @MinLength(1) @MaxLength(200) title!: string;
}

export class CreateIssueDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() inspectionId?: string;
  @ApiPropertyOptional({ enum: SOURCES, description: 'when there is no inspection (default supervision)' })
  @IsOptional()
  @IsIn(SOURCES)
  source?: Source;
  @ApiProperty({ example: '2户危房改造未按期完成' }) @Transform(trim) @IsString() @MinLength(1) @MaxLength(500) title!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(10000) description?: string;
  @ApiPropertyOptional({ example: '两不愁三保障' }) @IsOptional() @IsString() @MaxLength(50) category?: string;
  @ApiProperty({ format: 'uuid', description: 'the owner unit (责任单位); with unitIds, the unit of the common problem' })
  @IsUUID()
  unitId!: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'a common problem (共性问题): one child ticket per unit' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(500)
  @IsUUID('all', { each: true })
  unitIds?: string[];
  @ApiPropertyOptional({ example: '第一社区工作队队长' }) @IsOptional() @IsString() @MaxLength(100) responsible?: string;
  @ApiPropertyOptional({ description: '包抓领导' }) @IsOptional() @IsString() @MaxLength(100) supervisingLeader?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(5000) measures?: string;
  @ApiPropertyOptional({ enum: CLASSES, description: '立行立改 / 限期整改 / 长期坚持' })
  @IsOptional()
  @IsIn(CLASSES)
  rectificationClass?: RectificationClass;
  @ApiProperty({ example: '2026-08-31' })
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'deadline must be YYYY-MM-DD' })
  deadline!: string;
  @ApiPropertyOptional({ type: [MilestoneDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(24)
  @ValidateNested({ each: true })
  @Type(() => MilestoneDto)
  milestones?: MilestoneDto[];
}

const csv = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

export class ListIssuesQuery extends PageQuery {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() unitId?: string;
  @ApiPropertyOptional({ description: 'with unitId: include the units under it' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  subtree?: boolean;
  @ApiPropertyOptional({ description: 'one or more of ' + STATUSES.join(', ') + ', comma-separated' })
  @IsOptional()
  @Transform(csv)
  @IsArray()
  @IsIn(STATUSES, { each: true })
  status?: Status[];
  @ApiPropertyOptional() @IsOptional() @Transform(toBool) @IsBoolean() overdue?: boolean;
  @ApiPropertyOptional({ enum: SOURCES }) @IsOptional() @IsIn(SOURCES) source?: Source;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(50) category?: string;
  @ApiPropertyOptional({ description: 'any part of the title or description, e.g. 危房' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() inspectionId?: string;
  @ApiPropertyOptional({ enum: ['deadline', 'created'] }) @IsOptional() @IsIn(['deadline', 'created']) sort?: 'deadline' | 'created';
  @ApiPropertyOptional({ enum: ['asc', 'desc'] }) @IsOptional() @IsIn(['asc', 'desc']) order?: 'asc' | 'desc';
  @ApiPropertyOptional({ description: 'only tickets the caller may approve (the verification queue, with status=pending_review)' })
  @IsOptional()
  @Transform(toBool)
  @IsBoolean()
  approvable?: boolean;
}

export class TransitionDto {
  @ApiProperty({ enum: ACTIONS }) @IsIn(ACTIONS) action!: Action;
  @ApiPropertyOptional({ description: 'what was done (submit needs it)' }) @IsOptional() @IsString() @MaxLength(5000) comment?: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'evidence of this ticket (submit needs one)' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true })
  evidenceIds?: string[];
  @ApiPropertyOptional({ description: 'return, reopen, cancel, extend, request_extension and reject_extension need it' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
  @ApiPropertyOptional({ example: '2026-09-30', description: 'extend and request_extension: the new deadline' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @Matches(DATE, { message: 'deadline must be YYYY-MM-DD' })
  deadline?: string;
}

const nullable = ({ value }: { value: unknown }) => (value === null ? '' : value);

/**
 * An edit of a ticket's text. `version` is the ticket's `version` as last read: when the ticket
 * changed since (another edit or a transition), the edit loses with 409 and `details.version`
 * says the current one. A blank or null text clears the field (the title cannot be cleared).
 */
export class EditIssueDto {
  @ApiProperty({ example: 3, description: 'the ticket version this edit was made on (from GET /issues/:id); 409 when it changed since' })
  @IsInt()
  @Min(1)
  @Max(2_147_483_647)
  version!: number;
  @ApiPropertyOptional({ example: '2户危房改造未按期完成' })
  @IsOptional()
  @Transform(trim)
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  title?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @Transform(nullable) @IsString() @MaxLength(10000) description?: string;
  @ApiPropertyOptional({ nullable: true, example: '两不愁三保障' })
  @IsOptional()
  @Transform(nullable)
  @IsString()
  @MaxLength(50)
  category?: string;
  @ApiPropertyOptional({ nullable: true, example: '第一社区工作队队长' })
  @IsOptional()
  @Transform(nullable)
  @IsString()
  @MaxLength(100)
  responsible?: string;
  @ApiPropertyOptional({ nullable: true, description: '包抓领导' })
  @IsOptional()
  @Transform(nullable)
  @IsString()
  @MaxLength(100)
  supervisingLeader?: string;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @Transform(nullable) @IsString() @MaxLength(5000) measures?: string;
}

export class CountsQuery {
  @ApiProperty({ format: 'uuid' }) @IsUUID() unitId!: string;
}

export class EvidenceWarningDto {
  @ApiProperty({ enum: ['duplicate', 'near_duplicate', 'taken_before_ticket', 'no_capture_time', 'far_from_unit'] })
  code!: string;

  @ApiProperty({ description: 'what was found, naming the other tickets and their villages' })
  message!: string;

  @ApiPropertyOptional({ type: [String], format: 'uuid', description: 'the other tickets the same or a look-alike photo backs' })
  ticketIds?: string[];

  @ApiPropertyOptional({ description: 'far_from_unit: kilometres between the photo’s GPS and the unit' })
  distanceKm?: number;
}

export class EvidenceUploadQuery {
  @ApiPropertyOptional({
    enum: ['before', 'after'],
    description: 'the photo before (整改前) or after (整改后) the work; also as a form field',
  })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  role?: string;
}

export class EvidenceExifDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'capture time (DateTimeOriginal, else CreateDate)' })
  takenAt?: string;

  @ApiPropertyOptional()
  lat?: number;

  @ApiPropertyOptional()
  lon?: number;

  @ApiPropertyOptional({ description: 'camera make and model' })
  device?: string;

  @ApiPropertyOptional({
    type: [String],
    enum: ['takenAt', 'location'],
    description: 'what came from the uploading phone (takenAt, lat and lon beside the file) because the file had none of its own',
  })
  fromClient?: Array<'takenAt' | 'location'>;
}

export class EvidenceDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty()
  sha256!: string;

  @ApiProperty()
  size!: number;

  @ApiProperty()
  mediaType!: string;

  @ApiProperty()
  filename!: string;

  @ApiProperty({ nullable: true, type: String })
  uploadedBy!: string | null;

  @ApiProperty({ format: 'date-time' })
  uploadedAt!: string;

  @ApiPropertyOptional({ type: EvidenceExifDto, description: 'for photos' })
  exif?: EvidenceExifDto;

  @ApiProperty({ enum: ['before', 'after'], nullable: true, type: String, description: 'marked as the photo before or after the work' })
  role!: 'before' | 'after' | null;

  @ApiProperty({ type: [EvidenceWarningDto], description: 'checks against 纸面销号; they never refuse the upload' })
  warnings!: EvidenceWarningDto[];
}
