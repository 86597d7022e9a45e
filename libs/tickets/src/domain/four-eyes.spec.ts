import { fourEyes, FourEyesFacts, Seat, seatOf } from './four-eyes';
import { Actor, allowedActions, decide } from './ticket-state';

/**
 * Roles as they stand to a ticket owned by a unit, by where the approver's membership sits:
 * a leader or admin sitting above the owner unit is an ancestor leader; sitting in the owner unit
 * (or inside it) they are its own team; an inspector covers the unit from any seat in scope.
 */
type Role = 'admin' | 'leader' | 'inspector' | 'member' | 'viewer';
const SEATS: readonly Seat[] = ['owner', 'inside', 'above', 'elsewhere'];
const ROLES: readonly Role[] = ['admin', 'leader', 'inspector', 'member', 'viewer'];

function actor(role: Role, seat: Seat, submitted: boolean, started: boolean): Actor {
  const inOwner = seat === 'owner';
  return {
    owner: (role === 'member' || role === 'leader') && inOwner,
    leader: role === 'leader' && (inOwner || seat === 'above'),
    ancestorLeader: role === 'leader' && seat === 'above',
    inspector: role === 'inspector',
    admin: role === 'admin',
    fourEyes: { seats: [seat], submitted, started, requested: false },
  };
}

/** Whether the role's rule lets it verify at all (before four eyes). */
const verifies = (role: Role, seat: Seat) => role === 'admin' || role === 'inspector' || (role === 'leader' && seat === 'above');

const cases = ROLES.flatMap((role) =>
  SEATS.flatMap((seat) => [false, true].flatMap((submitted) => [false, true].map((started) => [role, seat, submitted, started] as const))),
);

describe('four eyes on a close-out (approve), role by seat by part in the work', () => {
  expect(cases).toHaveLength(5 * 4 * 2 * 2);

  it.each(cases)('%s sitting %s, submitted %s, started %s', (role, seat, submitted, started) => {
    const d = decide('pending_review', 'approve', actor(role, seat, submitted, started), { evidenceCount: 0, today: '2026-08-01' });
    const inOwner = seat === 'owner' || seat === 'inside';
    if (!verifies(role, seat)) {
      expect(d).toMatchObject({ ok: false, kind: 'forbidden' });
    } else if (inOwner) {
      expect(d).toMatchObject({ ok: false, kind: 'forbidden', reason: 'owner_unit' });
    } else if (submitted) {
      expect(d).toMatchObject({ ok: false, kind: 'forbidden', reason: 'submitted' });
    } else if (started) {
      expect(d).toMatchObject({ ok: false, kind: 'forbidden', reason: 'started' });
    } else {
      expect(d).toEqual({ ok: true, to: 'closed' });
    }
    // The verification queue shows a ticket exactly when its approval would succeed.
    expect(allowedActions('pending_review', actor(role, seat, submitted, started)).includes('approve')).toBe(d.ok);
  });

  it('refuses an inspector of a township office on the office’s own ticket, and accepts the inspection group beside it', () => {
    const office = '/county/zhongchang/office/';
    const group = '/county/zhongchang/group/';
    const seated = fourEyes({ seats: [seatOf(office, office)], submitted: false, started: false, requested: false }, 'approve');
    expect(seated?.reason).toBe('owner_unit');
    expect(fourEyes({ seats: [seatOf(group, office)], submitted: false, started: false, requested: false }, 'approve')).toBeNull();
  });

  it('refuses a township leader who started and submitted a village ticket alone, though the role would let them verify', () => {
    const d = decide('pending_review', 'approve', actor('leader', 'above', true, true), { evidenceCount: 0, today: '2026-08-01' });
    expect(d).toMatchObject({ ok: false, kind: 'forbidden', reason: 'submitted' });
  });

  it('counts any membership in the owner unit, whatever else the approver holds', () => {
    const facts: FourEyesFacts = { seats: ['elsewhere', 'above', 'inside'], submitted: false, started: false, requested: false };
    expect(fourEyes(facts, 'approve')?.reason).toBe('owner_unit');
  });

  it.each([
    ['/a/b/', '/a/b/', 'owner'],
    ['/a/b/c/', '/a/b/', 'inside'],
    ['/a/', '/a/b/', 'above'],
    ['/a/x/', '/a/b/', 'elsewhere'],
    ['/a/bb/', '/a/b/', 'elsewhere'],
  ] as const)('a seat at %s, owner unit at %s: %s', (seat, owner, expected) => {
    // Paths end with '/', so /a/bb/ is not inside /a/b/.
    expect(seatOf(seat, owner)).toBe(expected);
  });
});

describe('extensions (延期申请)', () => {
  const today = '2026-08-01';
  const ask = { reason: '雨季施工受阻', deadline: '2026-09-30', currentDeadline: '2026-08-31', today, evidenceCount: 0 };
  const team = actor('member', 'owner', false, false);
  const leader = actor('leader', 'above', false, false);

  it('lets the owner team ask before the deadline, with a reason and a later date', () => {
    expect(decide('in_progress', 'request_extension', team, ask)).toEqual({ ok: true, to: 'in_progress' });
    expect(decide('in_progress', 'request_extension', team, { ...ask, reason: ' ' })).toMatchObject({ kind: 'invalid', field: 'reason' });
    expect(decide('in_progress', 'request_extension', team, { ...ask, deadline: '2026-08-20' })).toMatchObject({
      kind: 'invalid',
      field: 'deadline',
    });
    expect(decide('in_progress', 'request_extension', team, { ...ask, today: '2026-09-01', deadline: '2026-09-30' })).toMatchObject({
      kind: 'invalid',
      field: 'deadline',
      message: expect.stringMatching(/before the deadline/),
    });
    expect(decide('in_progress', 'request_extension', team, { ...ask, extensionPending: true })).toMatchObject({ kind: 'illegal' });
  });

  it('lets a leader or inspector outside the team decide a pending request, and nobody when none is pending', () => {
    const pending = { today, evidenceCount: 0, extensionPending: true };
    expect(decide('open', 'approve_extension', leader, pending)).toEqual({ ok: true, to: 'open' });
    expect(decide('open', 'approve_extension', actor('inspector', 'elsewhere', false, false), pending)).toEqual({ ok: true, to: 'open' });
    expect(decide('open', 'approve_extension', team, pending)).toMatchObject({ kind: 'forbidden' });
    expect(decide('open', 'reject_extension', leader, pending)).toMatchObject({ kind: 'invalid', field: 'reason' });
    expect(decide('open', 'reject_extension', leader, { ...pending, reason: '理由不充分' })).toEqual({ ok: true, to: 'open' });
    expect(decide('open', 'approve_extension', leader, { today, evidenceCount: 0 })).toMatchObject({ kind: 'illegal' });
    expect(allowedActions('open', leader, false, true)).toEqual(expect.arrayContaining(['approve_extension', 'reject_extension']));
    expect(allowedActions('open', leader, false, false)).not.toContain('approve_extension');
  });

  it('holds four eyes on approving an extension: not the team, not the one who asked', () => {
    const pending = { today, evidenceCount: 0, extensionPending: true };
    const ownLeader = actor('leader', 'owner', false, false);
    expect(decide('open', 'approve_extension', ownLeader, pending)).toMatchObject({ kind: 'forbidden', reason: 'owner_unit' });
    const asker: Actor = { ...leader, fourEyes: { seats: ['above'], submitted: false, started: false, requested: true } };
    expect(decide('open', 'approve_extension', asker, pending)).toMatchObject({ kind: 'forbidden', reason: 'requested' });
    const admin: Actor = { ...actor('admin', 'above', false, true) };
    expect(decide('open', 'approve_extension', admin, pending)).toMatchObject({ kind: 'forbidden', reason: 'started' });
  });
});
