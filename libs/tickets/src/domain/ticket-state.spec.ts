import {
  Action,
  ACTIONS,
  Actor,
  allowedActions,
  closedOnTime,
  daysLeft,
  daysOverdue,
  decide,
  isActive,
  isOverdue,
  lightOf,
  milestoneProblem,
  openStage,
  sqlActive,
  sqlClosedOnTime,
  sqlOverdue,
  standingStage,
  Status,
  STATUSES,
} from './ticket-state';

/** The people a ticket meets, as the scope rules make them. */
const ROLES: Record<string, Actor> = {
  owner_member: { owner: true, leader: false, ancestorLeader: false, inspector: false, admin: false },
  owner_leader: { owner: true, leader: true, ancestorLeader: false, inspector: false, admin: false },
  township_leader: { owner: false, leader: true, ancestorLeader: true, inspector: false, admin: false },
  inspector: { owner: false, leader: false, ancestorLeader: false, inspector: true, admin: false },
  admin: { owner: false, leader: false, ancestorLeader: false, inspector: false, admin: true },
  viewer: { owner: false, leader: false, ancestorLeader: false, inspector: false, admin: false },
};

type Outcome = Status | 'illegal' | 'forbidden';

/**
 * The whole table: for every state, action and role, where the ticket goes (or why not).
 * Read a row as "a ticket in <state>, <action> by <role> → outcome".
 */
const TABLE: Record<Status, Record<Action, Record<keyof typeof ROLES, Outcome>>> = (() => {
  const row = (o: Outcome, over: Partial<Record<keyof typeof ROLES, Outcome>> = {}) => ({
    owner_member: o,
    owner_leader: o,
    township_leader: o,
    inspector: o,
    admin: o,
    viewer: o,
    ...over,
  });
  const illegal = row('illegal');
  const team = (to: Status) => row(to, { inspector: 'forbidden', viewer: 'forbidden' });
  const verify = (to: Status) => row(to, { owner_member: 'forbidden', owner_leader: 'forbidden', viewer: 'forbidden' });
  const leaders = (to: Status) => row(to, { owner_member: 'forbidden', inspector: 'forbidden', viewer: 'forbidden' });
  return {
    open: {
      start: team('in_progress'),
      submit: illegal,
      approve: illegal,
      return: illegal,
      reopen: illegal,
      cancel: leaders('cancelled'),
      extend: leaders('open'),
      request_extension: team('open'),
      approve_extension: illegal,
      reject_extension: illegal,
    },
    in_progress: {
      start: illegal,
      submit: team('pending_review'),
      approve: illegal,
      return: illegal,
      reopen: illegal,
      cancel: leaders('cancelled'),
      extend: leaders('in_progress'),
      request_extension: team('in_progress'),
      approve_extension: illegal,
      reject_extension: illegal,
    },
    pending_review: {
      start: illegal,
      submit: illegal,
      approve: verify('closed'),
      return: verify('in_progress'),
      reopen: illegal,
      cancel: leaders('cancelled'),
      extend: leaders('pending_review'),
      request_extension: team('pending_review'),
      approve_extension: illegal,
      reject_extension: illegal,
    },
    closed: {
      start: illegal,
      submit: illegal,
      approve: illegal,
      return: illegal,
      reopen: verify('in_progress'),
      cancel: illegal,
      extend: illegal,
      request_extension: illegal,
      approve_extension: illegal,
      reject_extension: illegal,
    },
    cancelled: {
      start: illegal,
      submit: illegal,
      approve: illegal,
      return: illegal,
      reopen: illegal,
      cancel: illegal,
      extend: illegal,
      request_extension: illegal,
      approve_extension: illegal,
      reject_extension: illegal,
    },
  };
})();

const complete = {
  comment: '已完成整改',
  reason: '原因',
  evidenceCount: 1,
  deadline: '2026-09-30',
  currentDeadline: '2026-08-31',
  today: '2026-08-01',
};

describe('close-out state machine', () => {
  const triples = STATUSES.flatMap((s) => ACTIONS.flatMap((a) => Object.keys(ROLES).map((r) => [s, a, r] as const)));
  expect(triples).toHaveLength(5 * 10 * 6);

  it.each(triples)('%s + %s by %s', (status, action, role) => {
    const expected = TABLE[status][action][role];
    const d = decide(status, action, ROLES[role], complete);
    if (expected === 'illegal' || expected === 'forbidden') {
      expect(d.ok).toBe(false);
      expect(!d.ok && d.kind).toBe(expected);
    } else {
      expect(d).toEqual({ ok: true, to: expected });
    }
  });

  it('lists exactly the actions that would succeed', () => {
    for (const s of STATUSES) {
      for (const [name, actor] of Object.entries(ROLES)) {
        const expected = ACTIONS.filter((a) => !['illegal', 'forbidden'].includes(TABLE[s][a][name]));
        expect(allowedActions(s, actor)).toEqual(expected);
      }
    }
  });

  it('names the allowed actions when an action is illegal', () => {
    const d = decide('open', 'approve', ROLES.owner_leader, complete);
    expect(d).toMatchObject({ ok: false, kind: 'illegal', allowed: ['start', 'cancel', 'extend', 'request_extension'] });
  });

  it.each([
    ['submit', 'in_progress', { comment: '' }, 'comment'],
    ['submit', 'in_progress', { evidenceCount: 0 }, 'evidenceIds'],
    ['return', 'pending_review', { reason: '  ' }, 'reason'],
    ['reopen', 'closed', { reason: undefined }, 'reason'],
    ['cancel', 'open', { reason: '' }, 'reason'],
    ['extend', 'open', { deadline: undefined }, 'deadline'],
    ['extend', 'open', { deadline: '2026-07-01' }, 'deadline'],
    ['extend', 'open', { deadline: '2026-08-31' }, 'deadline'],
  ] as const)('%s from %s without what it needs is invalid (%s)', (action, status, patch, field) => {
    const actor = action === 'return' || action === 'reopen' ? ROLES.inspector : ROLES.admin;
    const d = decide(status, action, actor, { ...complete, ...patch });
    expect(d).toMatchObject({ ok: false, kind: 'invalid', field });
  });

  it('lets people only cancel or extend the parent of a common problem', () => {
    expect(allowedActions('open', ROLES.township_leader, true)).toEqual(['cancel', 'extend']);
    expect(decide('open', 'start', ROLES.township_leader, complete, true)).toMatchObject({
      kind: 'illegal',
      allowed: ['cancel', 'extend'],
    });
  });
});

describe('standing tickets (长期坚持), closed out stage by stage', () => {
  it('sends the ticket on to its next stage while stages are left, and closes it with the last', () => {
    expect(decide('pending_review', 'approve', ROLES.inspector, { ...complete, stagesLeft: 3 })).toEqual({ ok: true, to: 'in_progress' });
    expect(decide('pending_review', 'approve', ROLES.inspector, { ...complete, stagesLeft: 2 })).toEqual({ ok: true, to: 'in_progress' });
    expect(decide('pending_review', 'approve', ROLES.inspector, { ...complete, stagesLeft: 1 })).toEqual({ ok: true, to: 'closed' });
    expect(decide('pending_review', 'approve', ROLES.inspector, { ...complete, stagesLeft: 0 })).toEqual({ ok: true, to: 'closed' });
  });

  it('still needs a verifier outside the team for a stage', () => {
    expect(decide('pending_review', 'approve', ROLES.owner_leader, { ...complete, stagesLeft: 2 })).toMatchObject({ kind: 'forbidden' });
  });

  it('finds the first stage not yet closed out', () => {
    const a = { date: '2026-09-01', title: '一' };
    const b = { date: '2026-10-01', title: '二' };
    expect(openStage([a, b])).toBe(0);
    expect(openStage([{ ...a, closedAt: '2026-08-30T00:00:00Z' }, b])).toBe(1);
    expect(
      openStage([
        { ...a, closedAt: 'x' },
        { ...b, closedAt: 'y' },
      ]),
    ).toBe(-1);
    expect(openStage([])).toBe(-1);
  });

  it('gives a standing ticket its open stage and the stages left, and nothing for other classes', () => {
    const stages = [
      { date: '2026-09-01', title: '一', closedAt: '2026-08-30T00:00:00Z' },
      { date: '2026-10-01', title: '二' },
      { date: '2026-11-01', title: '三' },
    ];
    expect(standingStage('standing', stages)).toEqual({ index: 1, left: 2 });
    expect(
      standingStage(
        'standing',
        stages.map((x) => ({ ...x, closedAt: 'x' })),
      ),
    ).toBeNull();
    expect(standingStage('deadline', stages)).toBeNull();
  });

  it.each([
    [
      [
        { date: '2026-09-01', title: '一' },
        { date: '2026-10-01', title: '二' },
      ],
      '2026-10-01',
      null,
    ],
    [[{ date: '2026-11-01', title: '一' }], '2026-10-01', /after the deadline/],
    [
      [
        { date: '2026-10-01', title: '一' },
        { date: '2026-09-01', title: '二' },
      ],
      '2026-12-31',
      /date order/,
    ],
  ])('checks milestones against the deadline: %j by %s', (milestones, deadline, problem) => {
    const found = milestoneProblem(milestones, deadline);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toMatch(problem);
  });
});

describe('lights and overdue', () => {
  it.each([
    ['open', '2026-08-10', '2026-08-01', 'green'],
    ['open', '2026-08-05', '2026-08-01', 'yellow'],
    ['in_progress', '2026-08-01', '2026-08-01', 'yellow'],
    ['pending_review', '2026-07-31', '2026-08-01', 'red'],
    ['closed', '2026-07-01', '2026-08-01', 'none'],
    ['open', null, '2026-08-01', 'none'],
  ] as const)('%s due %s on %s is %s', (status, deadline, today, light) => expect(lightOf(status, deadline, today, 5)).toBe(light));

  it('counts days overdue only for active tickets', () => {
    expect(daysOverdue('open', '2026-07-01', '2026-08-01')).toBe(31);
    expect(daysOverdue('closed', '2026-07-01', '2026-08-01')).toBe(0);
    expect(daysOverdue('open', '2026-08-01', '2026-08-01')).toBe(0);
  });

  it('counts days left to the deadline, across a month end, only for active dated tickets', () => {
    expect(daysLeft('in_progress', '2026-08-03', '2026-07-30')).toBe(4);
    expect(daysLeft('open', '2026-08-01', '2026-08-01')).toBe(0);
    expect(daysLeft('pending_review', '2026-07-01', '2026-08-01')).toBe(-31);
    expect(daysLeft('closed', '2026-08-03', '2026-07-30')).toBeNull();
    expect(daysLeft('open', null, '2026-07-30')).toBeNull();
  });
});

describe('active, overdue and on-time close-out', () => {
  it.each([
    ['open', true],
    ['in_progress', true],
    ['pending_review', true],
    ['closed', false],
    ['cancelled', false],
  ] as const)('%s is active: %s', (status, active) => expect(isActive(status)).toBe(active));

  it.each([
    ['open', '2026-07-31', '2026-08-01', true],
    ['in_progress', '2026-08-01', '2026-08-01', false],
    ['pending_review', '2026-07-01', '2026-08-01', true],
    ['closed', '2026-07-01', '2026-08-01', false],
    ['cancelled', '2026-07-01', '2026-08-01', false],
    ['open', null, '2026-08-01', false],
  ] as const)('%s due %s on %s is overdue: %s', (status, deadline, today, overdue) => {
    expect(isOverdue(status, deadline, today)).toBe(overdue);
    expect(daysOverdue(status, deadline, today) > 0).toBe(overdue);
  });

  it.each([
    ['2026-08-01', '2026-07-31', true],
    ['2026-08-01', '2026-08-01', true],
    ['2026-08-01', '2026-08-02', false],
    [null, '2030-01-01', true],
  ] as const)('due %s, closed out on %s: on time %s', (deadline, day, onTime) => expect(closedOnTime(deadline, day)).toBe(onTime));

  it('writes the same rules in SQL, from the state list', () => {
    expect(sqlActive()).toBe("t.status IN ('open', 'in_progress', 'pending_review')");
    expect(sqlOverdue('$2::date', 'x')).toBe("(x.status IN ('open', 'in_progress', 'pending_review') AND x.deadline < $2::date)");
    expect(sqlClosedOnTime('deadline', '$3::date')).toBe('(deadline IS NULL OR $3::date <= deadline)');
  });
});
