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
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { STEPS, StepName } from '@app/cycles';
import { PageQuery, toBool } from '../common/pagination';
import { MONTH_PERIOD, MONTH_PERIOD_MESSAGE } from '../common/period';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
const isDay = (v: unknown) => v === 'last' || (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 31);

/** A day of the month 1–31, or "last". */
function IsDayOfMonth(options?: ValidationOptions) {
  return (target: object, propertyName: string) =>
    registerDecorator({
      name: 'isDayOfMonth',
      target: target.constructor,
      propertyName,
      options: { message: `${propertyName} must be a day of the month from 1 to 31, or "last"`, ...options },
      validator: { validate: (v: unknown) => (Array.isArray(v) ? v.every(isDay) : isDay(v)) },
    });
}

const DAY_DOC = {
  oneOf: [
    { type: 'integer', minimum: 1, maximum: 31 },
    { type: 'string', enum: ['last'] },
  ],
};

export class StepScheduleDto {
  @ApiProperty() @IsBoolean() enabled!: boolean;
  @ApiProperty(DAY_DOC) @IsDayOfMonth() day!: number | 'last';
  @ApiProperty({ example: '08:00' }) @Matches(TIME, { message: 'time must be HH:mm' }) time!: string;
}

class StepsDto {
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => StepScheduleDto) dispatch!: StepScheduleDto;
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => StepScheduleDto) self_check!: StepScheduleDto;
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => StepScheduleDto) review!: StepScheduleDto;
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => StepScheduleDto) report!: StepScheduleDto;
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => StepScheduleDto) supervision!: StepScheduleDto;
}

class HalfMonthlyDto {
  @ApiProperty() @IsBoolean() enabled!: boolean;
  @ApiProperty({ type: 'array', items: DAY_DOC }) @IsArray() @ArrayMaxSize(4) @IsDayOfMonth() days!: Array<number | 'last'>;
  @ApiProperty() @Matches(TIME, { message: 'time must be HH:mm' }) time!: string;
}

class FixedDayDto {
  @ApiProperty({ example: 'pairing_day' }) @Matches(/^[a-z][a-z0-9_]{0,39}$/) key!: string;
  @ApiProperty({ example: '结对帮扶日' }) @IsString() @MinLength(1) @MaxLength(40) name!: string;
  @ApiProperty({ type: 'array', items: DAY_DOC }) @IsArray() @ArrayMinSize(1) @ArrayMaxSize(31) @IsDayOfMonth() days!: Array<
    number | 'last'
  >;
  @ApiProperty() @IsInt() @Min(0) @Max(7) remindDaysBefore!: number;
  @ApiProperty() @Matches(TIME, { message: 'time must be HH:mm' }) time!: string;
  @ApiProperty({ type: [String] })
  @IsArray()
  @ArrayMaxSize(30)
  @IsString({ each: true })
  @MaxLength(200, { each: true })
  checklist!: string[];
}

class QuarterlyDto {
  @ApiProperty() @IsBoolean() enabled!: boolean;
  @ApiProperty({ enum: [1, 2, 3] }) @IsIn([1, 2, 3]) monthOfQuarter!: 1 | 2 | 3;
  @ApiProperty(DAY_DOC) @IsDayOfMonth() day!: number | 'last';
  @ApiProperty() @Matches(TIME, { message: 'time must be HH:mm' }) time!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(60) title!: string;
}

class RemindersDto {
  @ApiProperty({ default: 3 }) @IsInt() @Min(0) @Max(30) daysBeforeDeadline!: number;
  @ApiProperty({ default: 15 }) @IsInt() @Min(1) @Max(365) overdueGraceDays!: number;
}

export class CalendarDto {
  @ApiProperty({ example: 'Asia/Shanghai' }) @IsString() @MaxLength(64) timezone!: string;
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => StepsDto) steps!: StepsDto;
  @ApiProperty({ enum: ['keep', 'before', 'after'], description: 'move a date that falls on a weekend or holiday' })
  @IsIn(['keep', 'before', 'after'])
  nonWorkingDays!: 'keep' | 'before' | 'after';
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => HalfMonthlyDto) halfMonthly!: HalfMonthlyDto;
  @ApiProperty({ type: [FixedDayDto] })
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => FixedDayDto)
  fixedDays!: FixedDayDto[];
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => QuarterlyDto) quarterly!: QuarterlyDto;
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => RemindersDto) reminders!: RemindersDto;
}

export class PutCalendarDto {
  @ApiProperty() @IsObject() @ValidateNested() @Type(() => CalendarDto) config!: CalendarDto;
  @ApiPropertyOptional({ description: 'the version you read; a newer one gives 409' }) @IsOptional() @IsInt() @Min(0) version?: number;
}

export class CyclesQuery {
  @ApiProperty({ format: 'uuid' }) @IsUUID() unitId!: string;
  @ApiProperty({ example: '2026-07' }) @Matches(MONTH_PERIOD, { message: MONTH_PERIOD_MESSAGE }) period!: string;
}

export class RunStepParams {
  @ApiProperty({ example: '2026-07' }) @Matches(MONTH_PERIOD, { message: MONTH_PERIOD_MESSAGE }) period!: string;
  @ApiProperty({ enum: STEPS }) @IsIn(STEPS) step!: StepName;
}

export class RunStepQuery {
  @ApiProperty({ format: 'uuid' }) @IsUUID() unitId!: string;
}

export class TaskInputDto {
  @ApiProperty({ example: '入户走访' }) @IsString() @MinLength(1) @MaxLength(500) title!: string;
  @ApiPropertyOptional({ example: '走访贫困户' }) @IsOptional() @IsString() @MaxLength(200) indicator?: string;
  @ApiPropertyOptional({ example: 30 }) @IsOptional() @IsNumber({ maxDecimalPlaces: 2 }) @Min(0.01) @Max(1e9) target?: number;
  @ApiPropertyOptional({ example: '户' }) @IsOptional() @IsString() @MaxLength(20) measureUnit?: string;
  @ApiProperty({ type: [String], format: 'uuid' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @IsUUID('all', { each: true })
  unitIds!: string[];
  @ApiProperty({ example: '2026-07-25' })
  @IsISO8601({ strict: true })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'deadline must be a date YYYY-MM-DD' })
  deadline!: string;
}

export class CreateTaskListDto {
  @ApiProperty({ format: 'uuid', description: 'the township' }) @IsUUID() unitId!: string;
  @ApiProperty({ example: '2026-07' }) @Matches(MONTH_PERIOD, { message: MONTH_PERIOD_MESSAGE }) period!: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) title?: string;
  @ApiProperty({ type: [TaskInputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => TaskInputDto)
  tasks!: TaskInputDto[];
}

export class ReplaceTasksDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) title?: string;
  @ApiProperty({ type: [TaskInputDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => TaskInputDto)
  tasks!: TaskInputDto[];
}

export class TaskListQuery {
  @ApiProperty({ format: 'uuid' }) @IsUUID() unitId!: string;
  @ApiPropertyOptional({ example: '2026-07' }) @IsOptional() @Matches(MONTH_PERIOD, { message: MONTH_PERIOD_MESSAGE }) period?: string;
}

export class TasksQuery extends TaskListQuery {
  @ApiPropertyOptional({ description: 'include the teams under the unit' }) @IsOptional() @Transform(toBool) @IsBoolean() subtree?: boolean;
}

export class ProgressDto {
  @ApiProperty({ example: 18 }) @IsNumber({ maxDecimalPlaces: 2 }) @Min(0) @Max(1e9) actual!: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(2000) comment?: string;
  @ApiPropertyOptional({ type: [String], format: 'uuid' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  evidenceIds?: string[];
  @ApiPropertyOptional({ description: 'for a task without a numeric target' }) @IsOptional() @IsBoolean() done?: boolean;
}

export class AccountabilityQuery extends PageQuery {
  @ApiProperty({ format: 'uuid' }) @IsUUID() unitId!: string;
}

export class NotificationsQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @Transform(toBool) @IsBoolean() unread?: boolean;
}

export class WebhookDeliveriesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'sending', 'sent', 'failed'], description: 'only deliveries in this state' })
  @IsOptional()
  @IsIn(['pending', 'sending', 'sent', 'failed'])
  state?: 'pending' | 'sending' | 'sent' | 'failed';
}

export class WebhookDto {
  @ApiProperty({ example: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…' })
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  @MaxLength(1000)
  url!: string;
  @ApiProperty({ enum: ['wecom', 'dingtalk'] }) @IsIn(['wecom', 'dingtalk']) style!: 'wecom' | 'dingtalk';
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() enabled?: boolean;
  @ApiPropertyOptional({
    description:
      'DingTalk 加签 secret (SEC…): kept encrypted, never returned; each request is then signed. Omitted keeps the one kept, "" removes it',
    writeOnly: true,
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  secret?: string;
}
