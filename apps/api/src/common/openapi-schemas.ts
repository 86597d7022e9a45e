import { ACCOUNTABILITY_GROUNDS } from '@app/cycles';

/**
 * The schemas of the API's answers that are not DTO classes, by name in `components.schemas`.
 * Objects list the fields clients rely on; they may carry more (`additionalProperties`).
 */
type Schema = Record<string, unknown>;

const str: Schema = { type: 'string' };
const int: Schema = { type: 'integer' };
const num: Schema = { type: 'number' };
const bool: Schema = { type: 'boolean' };
const uuid: Schema = { type: 'string', format: 'uuid' };
const time: Schema = { type: 'string', format: 'date-time' };
const date: Schema = { type: 'string', format: 'date' };
const period: Schema = { type: 'string', pattern: '^\\d{4}-\\d{2}$', example: '2026-07' };
const anyObject: Schema = { type: 'object', additionalProperties: true };
const nullable = (s: Schema): Schema => ({
  ...s,
  nullable: true,
  ...(Array.isArray(s.enum) ? { enum: [...(s.enum as unknown[]), null] } : {}),
});
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const list = (items: Schema): Schema => ({ type: 'array', items });
const oneOf = (...values: string[]): Schema => ({ type: 'string', enum: values });

function object(properties: Record<string, Schema>, optional: string[] = []): Schema {
  return {
    type: 'object',
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: true,
  };
}

const pageOf = (item: Schema, extra: Record<string, Schema> = {}): Schema =>
  object({ items: list(item), total: int, page: int, pageSize: int, ...extra });

const UNIT_KIND = oneOf('province', 'county', 'township', 'village', 'office', 'inspection_group');
const ROLE = oneOf('admin', 'leader', 'member', 'inspector', 'viewer');
const STATUS = oneOf('open', 'in_progress', 'pending_review', 'closed', 'cancelled');
const RUN_STATE = oneOf('pending', 'running', 'done', 'failed');
const STEP = oneOf('dispatch', 'self_check', 'review', 'report', 'supervision');
const SOURCE = oneOf('patrol', 'supervision', 'self_check', 'audit', 'higher_feedback', 'verification');
const LIGHT = oneOf('green', 'yellow', 'red');
/** Why an accountability record was opened: 逾期未整改 (with a deadline and days overdue) or 屡查屡犯 (with the ticket repeated). */
const ACCOUNTABILITY_GROUND = oneOf(...ACCOUNTABILITY_GROUNDS);
/** A ticket's light: `none` when it is closed, cancelled or has no deadline. */
const TICKET_LIGHT = oneOf('green', 'yellow', 'red', 'none');

const User = object({
  id: uuid,
  username: str,
  displayName: str,
  phone: nullable(str),
  active: bool,
  memberships: list(object({ unitId: nullable(uuid), unitName: nullable(str), unitKind: nullable(UNIT_KIND), role: ROLE })),
  createdAt: time,
});

const Unit = object({
  id: uuid,
  name: str,
  kind: UNIT_KIND,
  kindLabel: str,
  parentId: nullable(uuid),
  code: nullable(str),
  timezone: str,
  location: nullable(object({ lat: num, lon: num })),
  depth: int,
  createdAt: time,
});

const Step = object({
  step: STEP,
  label: str,
  state: RUN_STATE,
  dueAt: nullable(time),
  startedAt: nullable(time),
  ranAt: nullable(time),
  attempts: int,
  trigger: nullable(oneOf('schedule', 'manual')),
  error: nullable(str),
  produced: nullable(anyObject),
  outputs: list(object({ id: uuid, kind: str, subjectUnitId: nullable(uuid) })),
});

const Task = object({
  id: uuid,
  taskListId: uuid,
  itemNo: int,
  title: str,
  indicator: nullable(str),
  target: nullable(num),
  measureUnit: nullable(str),
  unitId: uuid,
  unitName: str,
  deadline: date,
  actual: num,
  completion: num,
  done: bool,
  overdue: bool,
  period,
  dispatched: bool,
});

const EVIDENCE_WARNING = oneOf('duplicate', 'near_duplicate', 'taken_before_ticket', 'no_capture_time', 'far_from_unit');

/** A warning of the checks against 纸面销号, with the evidence it was raised on. */
const EvidenceWarningOnTicket = object(
  { evidenceId: uuid, filename: str, code: EVIDENCE_WARNING, message: str, ticketIds: list(uuid), distanceKm: num },
  ['ticketIds', 'distanceKm'],
);

const Ticket = object({
  id: uuid,
  code: str,
  title: str,
  description: nullable(str),
  category: nullable(str),
  source: SOURCE,
  inspectionId: nullable(uuid),
  parentId: nullable(uuid),
  isCommon: bool,
  unitId: uuid,
  unitName: str,
  responsible: nullable(str),
  supervisingLeader: nullable(str),
  measures: nullable(str),
  deadline: nullable(date),
  originalDeadline: nullable(date),
  status: STATUS,
  light: TICKET_LIGHT,
  overdue: bool,
  daysOverdue: int,
  daysLeft: nullable(int),
  closedAt: nullable(time),
  returnedCount: int,
  version: int,
  createdAt: time,
  updatedAt: time,
  allowedActions: list(str),
  evidenceWarnings: list(EvidenceWarningOnTicket),
  flags: list(oneOf('repeat', 'self_check_missed')),
  repeatOf: list(uuid),
});

const Inspection = object({
  id: uuid,
  source: SOURCE,
  sourceLabel: str,
  title: str,
  issuedBy: str,
  docNumber: nullable(str),
  docDate: nullable(date),
  round: nullable(str),
  date,
  unitId: uuid,
  unitName: str,
  tickets: int,
  createdAt: time,
});

const SelfCheck = object({
  id: uuid,
  unitId: uuid,
  unitName: str,
  period,
  title: str,
  summary: str,
  checklist: list(anyObject),
  problems: list(object({ id: uuid, code: str, title: str })),
  filedAt: time,
  filedBy: nullable(str),
  onTime: bool,
});

const Webhook = object({ unitId: uuid, url: str, style: oneOf('wecom', 'dingtalk'), enabled: bool, signed: bool });

const DELIVERY_STATE = oneOf('pending', 'sending', 'sent', 'failed');

export const API_SCHEMAS: Record<string, Schema> = {
  User,
  UserPage: pageOf(ref('User')),
  LoginResult: object({ accessToken: str, tokenType: oneOf('Bearer'), expiresAt: time, user: ref('User') }),
  Unit,
  UnitList: list(ref('Unit')),
  UnitPage: pageOf(ref('Unit')),
  UnitDetail: {
    allOf: [ref('Unit'), object({ ancestors: list(object({ id: uuid, name: str, kind: UNIT_KIND })), childCount: int })],
  },
  OrgImportResult: object({
    dryRun: bool,
    created: int,
    units: list(object({ row: int, id: nullable(uuid), name: str, kind: UNIT_KIND, parentId: nullable(uuid) })),
  }),
  Step,
  Cycle: object({
    unitId: uuid,
    unitName: str,
    period,
    timezone: str,
    steps: list(ref('Step')),
    events: list(object({ key: str, title: str, state: RUN_STATE, dueAt: nullable(time), ranAt: nullable(time) })),
  }),
  Calendar: object({
    unitId: uuid,
    unitName: str,
    config: anyObject,
    version: int,
    startsAt: time,
    updatedAt: nullable(time),
    upcoming: list(object({ key: str, kind: str, title: str, period, dueAt: time }, ['holiday'])),
    estimatedHolidayYears: list(int),
  }),
  Webhook,
  WebhookSetting: object({ webhook: nullable(Webhook) }),
  DeliveryLog: pageOf(
    object({
      id: uuid,
      notificationId: uuid,
      title: nullable(str),
      host: str,
      state: DELIVERY_STATE,
      attempts: int,
      lastError: nullable(str),
      createdAt: time,
      lastAttemptAt: nullable(time),
      sentAt: nullable(time),
    }),
    { counts: object({ pending: int, sending: int, sent: int, failed: int }) },
  ),
  AccountabilityPage: pageOf(
    object({
      id: uuid,
      ticketId: uuid,
      ticketCode: str,
      ticketTitle: str,
      unitId: uuid,
      unitName: str,
      person: nullable(str),
      ground: ACCOUNTABILITY_GROUND,
      deadline: nullable(date),
      daysOverdue: nullable(int),
      repeatOfTicketId: nullable(uuid),
      repeatOfTicketCode: nullable(str),
      createdAt: time,
    }),
  ),
  NotificationPage: pageOf(
    object({
      id: uuid,
      kind: str,
      title: str,
      body: str,
      link: nullable(str),
      data: nullable(anyObject),
      unitId: nullable(uuid),
      unitName: nullable(str),
      audience: oneOf('user', 'members', 'leaders'),
      createdAt: time,
      read: bool,
    }),
    { unread: int },
  ),
  Marked: object({ marked: int }),
  SelfCheck,
  SelfCheckList: list(ref('SelfCheck')),
  TextItems: object({ items: list(str) }),
  Rankings: list(
    object({ unitId: uuid, unitName: str, score: num, rank: int, breakdown: anyObject, light: LIGHT, grade: str }, ['light', 'grade']),
  ),
  Task,
  TaskList: object({
    id: uuid,
    unitId: uuid,
    unitName: str,
    period,
    title: str,
    status: oneOf('draft', 'dispatched'),
    dispatchedAt: nullable(time),
    tasks: list(ref('Task')),
  }),
  TaskLists: list(ref('TaskList')),
  Tasks: list(ref('Task')),
  TaskDetail: {
    allOf: [ref('Task'), object({ progress: list(object({ actual: num, comment: nullable(str), actor: nullable(str), at: time })) })],
  },
  Inspection,
  InspectionPage: pageOf(ref('Inspection')),
  ImportResult: object(
    {
      dryRun: bool,
      created: int,
      issues: list(uuid),
      unitTickets: int,
      repeats: list(
        object({ row: int, title: str, repeatOf: list(object({ id: uuid, code: str, title: str, closedAt: time, similarity: num })) }),
      ),
      rows: list(
        object({
          row: int,
          no: nullable(str),
          title: str,
          units: list(str),
          common: bool,
          category: nullable(str),
          rectificationClass: oneOf('immediate', 'deadline', 'standing'),
          classLabel: str,
          deadline: date,
          progressNote: nullable(str),
          sameInFile: list(object({ row: int, no: nullable(str) })),
          sameOpen: list(object({ id: uuid, code: str, title: str, unitName: str })),
        }),
      ),
      mapping: { type: 'object', additionalProperties: str },
      feedback: object({ round: nullable(str), docNumber: nullable(str), docDate: nullable(date) }),
    },
    ['repeats', 'unitTickets', 'rows', 'mapping'],
  ),
  Ticket,
  TicketDetail: {
    allOf: [
      ref('Ticket'),
      object({
        children: list(object({ id: uuid, code: str, unitName: str, status: STATUS })),
      }),
    ],
  },
  TicketPage: pageOf(ref('Ticket')),
  TicketCounts: object({
    total: int,
    open: int,
    in_progress: int,
    pending_review: int,
    closed: int,
    cancelled: int,
    overdue: int,
    closed_on_time: int,
  }),
  History: list(
    object({
      id: int,
      kind: str,
      action: nullable(str),
      from: nullable(STATUS),
      to: nullable(STATUS),
      actor: object({ id: nullable(uuid), name: nullable(str) }),
      comment: nullable(str),
      data: nullable(anyObject),
      at: time,
    }),
  ),
  Liveness: object({ status: oneOf('ok') }),
  Readiness: object({ status: oneOf('ok'), ready: bool, checks: object({ database: oneOf('up', 'down'), queue: oneOf('up', 'down') }) }),
};
