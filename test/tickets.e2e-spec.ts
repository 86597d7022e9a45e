import { FakeClock, PrincipalResolver } from '@app/platform';
import { TicketQueryService } from '@app/tickets';
import { DataSource } from 'typeorm';
import { bearer, PDF, PNG, unitId } from './support/fixtures';
import { startTestApp, TestApp } from './support/test-app';

describe('tickets and the close-out workflow', () => {
  // 10:00 on 1 August 2026 in Shanghai.
  const clock = new FakeClock('2026-08-01T02:00:00Z');
  let t: TestApp;
  let inspector: string;
  let team1: string;
  let leader: string;
  let v1: string;

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { EVIDENCE_MAX_MB: '1' } });
    inspector = await t.login('zc_inspector');
    team1 = await t.login('zc_team1');
    leader = await t.login('zc_leader');
    v1 = await unitId(t, '中厂镇第一社区');
  });
  afterAll(() => t.close());

  async function raise(patch: Record<string, unknown> = {}): Promise<{ id: string; code: string; status: string }> {
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({ title: '2户危房改造未按期完成', unitId: v1, deadline: '2026-08-20', responsible: '张三', measures: '督促施工', ...patch });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body;
  }

  const act = (token: string, id: string, body: Record<string, unknown>) =>
    t.http().post(`/api/v1/issues/${id}/transitions`).set(bearer(token)).send(body);

  async function evidence(id: string, data = PNG, name = 'photo.png'): Promise<string> {
    const res = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team1)).attach('file', data, name);
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body.id as string;
  }

  it('numbers tickets per township and year, and shows a light', async () => {
    const a = await raise();
    const b = await raise({ deadline: '2026-08-04' });
    const na = Number(a.code.split('-')[2]);
    expect(a.code).toMatch(/^中厂镇-2026-\d{4}$/);
    expect(b.code).toBe(`中厂镇-2026-${String(na + 1).padStart(4, '0')}`);
    expect(a).toMatchObject({ status: 'open', light: 'green', overdue: false, rectificationClassLabel: '限期整改', allowedActions: [] });
    expect((await t.http().get(`/api/v1/issues/${b.id}`).set(bearer(team1))).body).toMatchObject({
      light: 'yellow',
      allowedActions: ['start', 'request_extension'],
    });
  });

  it('walks a ticket to closed: start, evidence, submit, approve by a verifier outside the team', async () => {
    const { id } = await raise();
    expect((await act(team1, id, { action: 'start' })).body.status).toBe('in_progress');
    const noEvidence = await act(team1, id, { action: 'submit', comment: '已完成' });
    expect(noEvidence.status).toBe(400);
    expect(noEvidence.body.details.fields[0].field).toBe('evidenceIds');
    const ev = await evidence(id);
    const noComment = await act(team1, id, { action: 'submit', evidenceIds: [ev] });
    expect(noComment.status).toBe(400);
    const submitted = await act(team1, id, { action: 'submit', comment: '两户均已完工并验收', evidenceIds: [ev] });
    expect(submitted.body.status).toBe('pending_review');
    const selfApproval = await act(team1, id, { action: 'approve', comment: '经核查整改到位' });
    expect(selfApproval.status).toBe(403);
    const approved = await act(inspector, id, { action: 'approve', comment: '核查属实' });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'closed', closedOnTime: true, light: 'none' });
    const history = await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(team1));
    expect(
      history.body.map((h: { kind: string; action: string | null; from: string | null; to: string }) => [h.kind, h.action, h.from, h.to]),
    ).toEqual([
      ['created', null, null, 'open'],
      ['transition', 'start', 'open', 'in_progress'],
      ['evidence_added', null, 'in_progress', 'in_progress'],
      ['transition', 'submit', 'in_progress', 'pending_review'],
      ['transition', 'approve', 'pending_review', 'closed'],
    ]);
    expect(history.body[3]).toMatchObject({ actor: { name: '第一社区工作队' }, comment: '两户均已完工并验收' });
  });

  it('closes out a standing ticket (长期坚持) stage by stage, and the ticket with its last stage', async () => {
    const stages = [
      { date: '2026-08-10', title: '完成入户核查' },
      { date: '2026-08-20', title: '完成资金拨付' },
    ];
    const { id } = await raise({ rectificationClass: 'standing', milestones: stages });
    await act(team1, id, { action: 'start' });
    await act(team1, id, { action: 'submit', comment: '入户核查已完成', evidenceIds: [await evidence(id)] });
    const first = await act(inspector, id, { action: 'approve', comment: '第一阶段核查属实' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'in_progress', currentStage: 1, closedAt: null });
    expect(first.body.milestones[0]).toMatchObject({ title: '完成入户核查', closedOnTime: true });
    expect(first.body.milestones[1].closedAt).toBeUndefined();

    await act(team1, id, { action: 'submit', comment: '资金已拨付到户', evidenceIds: [await evidence(id, PDF, 'pay.pdf')] });
    const last = await act(inspector, id, { action: 'approve', comment: '经核查整改到位' });
    expect(last.body).toMatchObject({ status: 'closed', currentStage: null, closedOnTime: true });
    expect(last.body.milestones.every((m: { closedAt?: string }) => m.closedAt)).toBe(true);

    const history = (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(team1))).body as Array<{
      action: string | null;
      to: string;
      data: { stage?: { index: number; title: string } } | null;
    }>;
    const approvals = history.filter((h) => h.action === 'approve');
    expect(approvals.map((h) => [h.to, h.data?.stage?.index, h.data?.stage?.title])).toEqual([
      ['in_progress', 0, '完成入户核查'],
      ['closed', 1, '完成资金拨付'],
    ]);
  });

  it('refuses milestones out of order or after the deadline', async () => {
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({
        title: '长期问题',
        unitId: v1,
        deadline: '2026-08-20',
        rectificationClass: 'standing',
        milestones: [{ date: '2026-09-01', title: '迟' }],
      });
    expect(res.status).toBe(400);
    expect(res.body.details.fields[0].field).toBe('milestones');
  });

  it('answers 409 naming the allowed actions for an illegal change', async () => {
    const { id } = await raise();
    const res = await act(leader, id, { action: 'approve', comment: '经核查整改到位' });
    expect(res.status).toBe(409);
    expect(res.body.details).toEqual({ allowed: ['start', 'cancel', 'extend', 'request_extension'], status: 'open' });
  });

  it('lets exactly one of ten concurrent approvals win', async () => {
    const { id } = await raise();
    await act(team1, id, { action: 'start' });
    await act(team1, id, { action: 'submit', comment: '完成', evidenceIds: [await evidence(id)] });
    const results = await Promise.all(
      Array.from({ length: 10 }, () => act(inspector, id, { action: 'approve', comment: '经核查整改到位' })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 409, 409, 409, 409, 409, 409, 409, 409, 409]);
    const [{ n }] = await t.app
      .get(DataSource)
      .query(`SELECT count(*)::int AS n FROM ticket_event WHERE ticket_id = $1 AND action = 'approve'`, [id]);
    expect(n).toBe(1);
  });

  it('returns with a reason, reopens a closed ticket, and keeps the original deadline beside an extension', async () => {
    const { id } = await raise();
    await act(team1, id, { action: 'start' });
    await act(team1, id, { action: 'submit', comment: '完成', evidenceIds: [await evidence(id, PDF, 'report.pdf')] });
    expect((await act(inspector, id, { action: 'return' })).status).toBe(400);
    const returned = await act(inspector, id, { action: 'return', reason: '照片不能说明问题已整改' });
    expect(returned.body).toMatchObject({ status: 'in_progress', returnedCount: 1 });
    expect((await act(team1, id, { action: 'extend', reason: '雨季', deadline: '2026-09-30' })).status).toBe(403);
    const extended = await act(leader, id, { action: 'extend', reason: '雨季施工困难', deadline: '2026-09-30' });
    expect(extended.body).toMatchObject({ deadline: '2026-09-30', originalDeadline: '2026-08-20', status: 'in_progress' });
    await act(leader, id, { action: 'extend', reason: '再次延期', deadline: '2026-10-31' });
    expect((await t.http().get(`/api/v1/issues/${id}`).set(bearer(team1))).body).toMatchObject({
      deadline: '2026-10-31',
      originalDeadline: '2026-08-20',
    });
    await act(team1, id, { action: 'submit', comment: '完成', evidenceIds: [await evidence(id)] });
    await act(leader, id, { action: 'approve', comment: '经核查整改到位' });
    const reopened = await act(inspector, id, { action: 'reopen', reason: '回头看发现问题反弹' });
    expect(reopened.body).toMatchObject({ status: 'in_progress', closedAt: null });
  });

  it('tells the owner team in its inbox when its close-out is returned and when it is approved, once each', async () => {
    const { id, code } = await raise();
    await act(team1, id, { action: 'start' });
    await act(team1, id, { action: 'submit', comment: '完成', evidenceIds: [await evidence(id)] });
    await act(inspector, id, { action: 'return', reason: '照片看不出整改前后对比' });
    await act(team1, id, { action: 'submit', comment: '补充前后对比照片', evidenceIds: [await evidence(id, PDF, 'report.pdf')] });
    await act(inspector, id, { action: 'approve', comment: '核查属实' });
    const inbox = async (token: string) =>
      (
        (await t.http().get('/api/v1/notifications?pageSize=100').set(bearer(token))).body.items as Array<{
          kind: string;
          title: string;
          body: string;
          link: string;
        }>
      ).filter((n) => n.link === `/tickets/${id}`);
    const told = await inbox(team1);
    expect(told.map((n) => n.kind).sort()).toEqual(['close_out_approved', 'close_out_returned']);
    expect(told.find((n) => n.kind === 'close_out_returned')).toMatchObject({
      title: `销号申请被退回：${code}`,
      body: expect.stringContaining('照片看不出整改前后对比'),
    });
    expect(told.find((n) => n.kind === 'close_out_approved')?.title).toBe(`已核验销号：${code}`);
    // Another township's team is told nothing.
    expect(await inbox(await t.login('cmy_team'))).toEqual([]);
  });

  it('records a late close-out as late (逾期销号), in the owner unit’s time zone', async () => {
    const { id } = await raise({ deadline: '2026-07-31' });
    await act(team1, id, { action: 'start' });
    await act(team1, id, { action: 'submit', comment: '完成', evidenceIds: [await evidence(id)] });
    const approved = await act(inspector, id, { action: 'approve', comment: '经核查整改到位' });
    expect(approved.body).toMatchObject({ closedOnTime: false });
  });

  it('computes overdue in each unit’s own time zone', async () => {
    const admin = await t.login('admin');
    // A unit on Honolulu time: at 02:00 UTC on 1 August it is still 31 July there.
    const far = await t
      .http()
      .patch(`/api/v1/org-units/${await unitId(t, '中厂镇第五社区')}`)
      .set(bearer(admin))
      .send({ timezone: 'Pacific/Honolulu' });
    expect(far.status).toBe(200);
    const here = await raise({ deadline: '2026-07-31', title: '时区测试甲' });
    const there = await raise({ deadline: '2026-07-31', title: '时区测试乙', unitId: far.body.id });
    const list = await t.http().get('/api/v1/issues?q=时区测试&overdue=true').set(bearer(admin));
    expect(list.body.items.map((i: { id: string }) => i.id)).toEqual([here.id]);
    expect((await t.http().get(`/api/v1/issues/${there.id}`).set(bearer(admin))).body).toMatchObject({ overdue: false, light: 'yellow' });
  });

  it('splits a common problem into one ticket per unit and closes the parent when all have', async () => {
    const names = ['中厂镇第一社区', '中厂镇第二社区', '中厂镇第三社区'];
    const res = await t
      .http()
      .post('/api/v1/issues')
      .set(bearer(inspector))
      .send({
        title: '扶贫政策明白卡未张贴',
        unitId: await unitId(t, '中厂镇'),
        unitIds: await Promise.all(names.map((n) => unitId(t, n))),
        deadline: '2026-08-30',
      });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ isCommon: true, status: 'open', allowedActions: [] });
    expect((await t.http().get(`/api/v1/issues/${res.body.id}`).set(bearer(leader))).body.allowedActions).toEqual(['cancel', 'extend']);
    expect(res.body.children.map((c: { unitName: string }) => c.unitName).sort()).toEqual([...names].sort());
    const admin = await t.login('admin');
    for (const [i, child] of res.body.children.entries()) {
      if (i === 2) {
        await act(leader, child.id, { action: 'cancel', reason: '该社区无此问题' });
        continue;
      }
      await act(admin, child.id, { action: 'start' });
      const ev = (await t.http().post(`/api/v1/issues/${child.id}/evidence`).set(bearer(admin)).attach('file', PNG, 'p.png')).body.id;
      await act(admin, child.id, { action: 'submit', comment: '已张贴', evidenceIds: [ev] });
      const mid = await t.http().get(`/api/v1/issues/${res.body.id}`).set(bearer(admin));
      expect(mid.body.status).toBe('open');
      await act(inspector, child.id, { action: 'approve', comment: '经核查整改到位' });
    }
    const parent = await t.http().get(`/api/v1/issues/${res.body.id}`).set(bearer(admin));
    expect(parent.body.status).toBe('closed');
    const history = await t.http().get(`/api/v1/issues/${res.body.id}/history`).set(bearer(admin));
    expect(history.body[history.body.length - 1]).toMatchObject({ kind: 'auto_transition', to: 'closed' });
    // 回头看: a child reopens, and so does the parent.
    await act(inspector, res.body.children[0].id, { action: 'reopen', reason: '明白卡脱落' });
    expect((await t.http().get(`/api/v1/issues/${res.body.id}`).set(bearer(admin))).body.status).toBe('in_progress');
  });

  describe('evidence', () => {
    it('decides the type by content, stores identical files once, and serves them in scope', async () => {
      const { id } = await raise();
      const a = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team1)).attach('file', PDF, 'looks-like.png');
      expect(a.status).toBe(201);
      expect(a.body).toMatchObject({ mediaType: 'application/pdf', size: PDF.length, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
      const b = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team1)).attach('file', PDF, 'again.pdf');
      expect(b.body.sha256).toBe(a.body.sha256);
      const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM evidence_file WHERE sha256 = $1`, [a.body.sha256]);
      expect(n).toBe(1);
      const file = await t.http().get(`/api/v1/issues/${id}/evidence/${a.body.id}`).set(bearer(leader)).buffer(true);
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toBe('application/pdf');
      expect(Buffer.from(file.body as Buffer).equals(PDF)).toBe(true);
      const outsider = await t.login('cmy_team');
      expect((await t.http().get(`/api/v1/issues/${id}/evidence/${a.body.id}`).set(bearer(outsider))).status).toBe(404);
    });

    it('refuses other types with 415 and files over the limit with 413', async () => {
      const { id } = await raise();
      const text = await t
        .http()
        .post(`/api/v1/issues/${id}/evidence`)
        .set(bearer(team1))
        .attach('file', Buffer.from('just text, named like a photo'), 'x.jpg');
      expect(text.status).toBe(415);
      expect(text.body.details.accepted).toContain('image/jpeg');
      const exe = await t
        .http()
        .post(`/api/v1/issues/${id}/evidence`)
        .set(bearer(team1))
        .attach('file', Buffer.from('MZ\x90\x00\x03\x00\x00\x00'), 'virus.pdf');
      expect(exe.status).toBe(415);
      const big = Buffer.concat([PNG, Buffer.alloc(1024 * 1024 + 10)]);
      const tooBig = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(team1)).attach('file', big, 'big.png');
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.message).toMatch(/1 MiB/);
      const [{ n }] = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ticket_evidence WHERE ticket_id = $1`, [id]);
      expect(n).toBe(0);
    });
  });

  describe('list and search', () => {
    it('finds any two-character Chinese substring, and filters by status, source and category', async () => {
      const admin = await t.login('admin');
      await raise({ title: '饮用水源地保护不到位', category: '两不愁三保障', description: '部分农户存在危房隐患' });
      const byTitle = await t
        .http()
        .get(`/api/v1/issues?q=${encodeURIComponent('水源')}`)
        .set(bearer(admin));
      expect(byTitle.body.items.map((i: { title: string }) => i.title)).toEqual(['饮用水源地保护不到位']);
      const byDescription = await t
        .http()
        .get(`/api/v1/issues?q=${encodeURIComponent('危房隐患')}`)
        .set(bearer(admin));
      expect(byDescription.body.total).toBe(1);
      const danger = await t
        .http()
        .get(`/api/v1/issues?q=${encodeURIComponent('危房')}&pageSize=200`)
        .set(bearer(admin));
      expect(danger.body.total).toBeGreaterThan(5);
      expect(
        danger.body.items.every((i: { title: string; description: string | null }) => `${i.title}${i.description ?? ''}`.includes('危房')),
      ).toBe(true);
      const oneChar = await t
        .http()
        .get(`/api/v1/issues?q=${encodeURIComponent('饮')}&pageSize=200`)
        .set(bearer(admin));
      expect(oneChar.body.items.map((i: { title: string }) => i.title)).toEqual(
        expect.arrayContaining(['饮用水源地保护不到位', '饮水安全问题排查不全面']),
      );
      expect(
        oneChar.body.items.every((i: { title: string; description: string | null }) => `${i.title}${i.description ?? ''}`.includes('饮')),
      ).toBe(true);
      const filtered = await t
        .http()
        .get(`/api/v1/issues?status=open&source=supervision&category=${encodeURIComponent('两不愁三保障')}&pageSize=200`)
        .set(bearer(admin));
      expect(
        filtered.body.items.every((i: { status: string; category: string }) => i.status === 'open' && i.category === '两不愁三保障'),
      ).toBe(true);
      expect((await t.http().get('/api/v1/issues?status=nonsense').set(bearer(admin))).status).toBe(400);
    });

    it('pages and sorts by deadline, and counts a subtree', async () => {
      const admin = await t.login('admin');
      const township = await unitId(t, '中厂镇');
      const page1 = await t.http().get(`/api/v1/issues?unitId=${township}&subtree=true&sort=deadline&pageSize=3`).set(bearer(admin));
      const page2 = await t.http().get(`/api/v1/issues?unitId=${township}&subtree=true&sort=deadline&pageSize=3&page=2`).set(bearer(admin));
      expect(page1.body.items).toHaveLength(3);
      expect(page1.body.total).toBe(page2.body.total);
      const beyond = await t
        .http()
        .get(`/api/v1/issues?unitId=${township}&subtree=true&sort=deadline&pageSize=3&page=9999`)
        .set(bearer(admin));
      expect(beyond.body).toMatchObject({ items: [], total: page1.body.total, page: 9999 });
      const deadlines = [...page1.body.items, ...page2.body.items].map((i: { deadline: string }) => i.deadline);
      expect(deadlines).toEqual([...deadlines].sort());
      const own = await t.http().get(`/api/v1/issues?unitId=${township}`).set(bearer(admin));
      expect(own.body.items.every((i: { unitId: string }) => i.unitId === township)).toBe(true);
      const counts = await t.http().get(`/api/v1/issues/counts?unitId=${township}`).set(bearer(admin));
      expect(counts.body.total).toBe(
        counts.body.open + counts.body.in_progress + counts.body.pending_review + counts.body.closed + counts.body.cancelled,
      );
      expect(counts.body.overdue).toBeGreaterThan(0);
    });

    it('counts the tickets that ran late by deadline month, as their views say', async () => {
      const township = await unitId(t, '中厂镇');
      const token = await t.login('zc_leader');
      const [user] = await t.app.get(DataSource).query(`SELECT id, token_version FROM app_user WHERE username = 'zc_leader'`);
      const principal = (await t.app.get(PrincipalResolver).resolve(user.id, user.token_version))!;
      const late = await t.app.get(TicketQueryService).lateByDeadlineMonth(principal, township, '2025-01-01', '2027-01-01');
      const expected = new Map<string, number>();
      for (let page = 1; ; page++) {
        const res = await t.http().get(`/api/v1/issues?unitId=${township}&subtree=true&pageSize=200&page=${page}`).set(bearer(token));
        for (const tk of res.body.items as Array<{
          deadline: string | null;
          isCommon: boolean;
          overdue: boolean;
          closedOnTime: boolean | null;
        }>) {
          const month = tk.deadline?.slice(0, 7);
          if (!month || month < '2025-01' || month > '2026-12' || tk.isCommon) continue;
          if (tk.overdue || tk.closedOnTime === false) expected.set(month, (expected.get(month) ?? 0) + 1);
        }
        if (page * 200 >= res.body.total) break;
      }
      expect(expected.size).toBeGreaterThan(0);
      expect(new Map([...late].sort())).toEqual(new Map([...expected].sort()));
    });

    it("counts each unit under a township in one statement, as each unit's own counts say", async () => {
      const township = await unitId(t, '中厂镇');
      const queries = t.app.get(TicketQueryService);
      for (const username of ['admin', 'zc_leader']) {
        const [user] = await t.app.get(DataSource).query(`SELECT id, token_version FROM app_user WHERE username = $1`, [username]);
        const principal = (await t.app.get(PrincipalResolver).resolve(user.id, user.token_version))!;
        const byChild = await queries.countsByChild(principal, township);
        const children = await t.app.get(DataSource).query(`SELECT id FROM org_unit WHERE parent_id = $1`, [township]);
        expect([...byChild.keys()].sort()).toEqual(children.map((c: { id: string }) => c.id).sort());
        for (const { id } of children) expect(byChild.get(id)).toEqual(await queries.counts(principal, id));
        expect([...byChild.values()].reduce((n, c) => n + c.total, 0)).toBeGreaterThan(0);
      }
    });
  });

  describe('four eyes (双人核验)', () => {
    async function submitted(token: string, unit: string, by = token): Promise<string> {
      const { id } = await raise({ unitId: unit });
      await act(by, id, { action: 'start' });
      const ev = await t.http().post(`/api/v1/issues/${id}/evidence`).set(bearer(by)).attach('file', PNG, 'photo.png');
      const res = await act(by, id, { action: 'submit', comment: '已整改到位', evidenceIds: [ev.body.id] });
      expect(res.status).toBe(200);
      return id;
    }

    it("refuses an inspector sitting in the township office on the office's own ticket; the inspection group verifies it", async () => {
      const office = await unitId(t, '中厂镇脱贫攻坚办公室');
      const officeInspector = await t.login('zc_office');
      const id = await submitted(leader, office);
      const own = await act(officeInspector, id, { action: 'approve', comment: '经核查整改到位' });
      expect(own.status).toBe(403);
      expect(own.body.details).toEqual({ reason: 'owner_unit' });
      expect((await t.http().get(`/api/v1/issues/${id}`).set(bearer(officeInspector))).body.allowedActions).not.toContain('approve');
      // The township leader started and submitted it: not theirs to verify either.
      expect((await act(leader, id, { action: 'approve', comment: '经核查整改到位' })).body.details).toEqual({ reason: 'submitted' });
      const group = await act(inspector, id, { action: 'approve', comment: '经核查整改到位' });
      expect(group.status).toBe(200);
      expect(group.body.status).toBe('closed');
    });

    it('refuses a township leader who started and submitted a village ticket alone, and an admin likewise', async () => {
      const alone = await submitted(leader, v1);
      const res = await act(leader, alone, { action: 'approve', comment: '经核查整改到位' });
      expect(res.status).toBe(403);
      expect(res.body.details).toEqual({ reason: 'submitted' });
      const admin = await t.login('admin');
      const byAdmin = await submitted(admin, v1);
      expect((await act(admin, byAdmin, { action: 'approve', comment: '经核查整改到位' })).body.details).toEqual({ reason: 'submitted' });
      expect((await act(inspector, alone, { action: 'approve', comment: '经核查整改到位' })).status).toBe(200);
    });

    it('refuses the one who started the work even when someone else submitted', async () => {
      const { id } = await raise();
      await act(leader, id, { action: 'start' });
      const ev = await evidence(id);
      await act(team1, id, { action: 'submit', comment: '已完成', evidenceIds: [ev] });
      expect((await act(leader, id, { action: 'approve', comment: '经核查整改到位' })).body.details).toEqual({ reason: 'started' });
      expect((await act(inspector, id, { action: 'approve', comment: '经核查整改到位' })).status).toBe(200);
    });

    it('lists in the verification queue only the tickets the caller may approve', async () => {
      const mine = await submitted(leader, v1);
      const theirs = await submitted(team1, v1);
      const queue = t.app.get(TicketQueryService);
      const [user] = await t.app.get(DataSource).query(`SELECT id, token_version FROM app_user WHERE username = 'zc_leader'`);
      const principal = (await t.app.get(PrincipalResolver).resolve(user.id, user.token_version))!;
      const page = await queue.list(principal, { status: ['pending_review'], approvable: true, page: 1, pageSize: 500 });
      const ids = page.items.map((i) => i.id);
      expect(ids).toContain(theirs);
      expect(ids).not.toContain(mine);
      expect(page.items.every((i) => i.allowedActions.includes('approve'))).toBe(true);
      expect(page.total).toBe(page.items.length);
    });
  });

  describe('editing (PATCH /issues/:id)', () => {
    const patch = (token: string, id: string, body: Record<string, unknown>) =>
      t.http().patch(`/api/v1/issues/${id}`).set(bearer(token)).send(body);

    it('records each changed field with its old and new value, and bumps the version', async () => {
      const { id } = await raise({ responsible: null, measures: null });
      const before = (await t.http().get(`/api/v1/issues/${id}`).set(bearer(inspector))).body;
      const res = await patch(inspector, id, {
        version: before.version,
        title: '2户危房改造未按期完成（复查）',
        responsible: '李四',
        supervisingLeader: '王镇长',
        measures: before.measures,
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ title: '2户危房改造未按期完成（复查）', responsible: '李四', version: before.version + 1 });
      const history = (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(team1))).body;
      const edits = history.filter((h: { kind: string }) => h.kind === 'updated').map((h: { data: unknown }) => h.data);
      expect(edits).toEqual([
        { field: 'title', from: '2户危房改造未按期完成', to: '2户危房改造未按期完成（复查）' },
        { field: 'responsible', from: before.responsible, to: '李四' },
        { field: 'supervisingLeader', from: null, to: '王镇长' },
      ]);
    });

    it('lets the team fill in the responsible person and the measures, and nothing else', async () => {
      const { id } = await raise();
      const v = (await t.http().get(`/api/v1/issues/${id}`).set(bearer(team1))).body.version;
      expect((await patch(team1, id, { version: v, measures: '逐户核查，月底前完工' })).status).toBe(200);
      const denied = await patch(team1, id, { version: v + 1, title: '改个标题' });
      expect(denied.status).toBe(403);
      expect(denied.body.details).toEqual({ fields: ['title'] });
      expect((await patch(team1, id, { version: v + 1, deadline: '2026-12-31' })).status).toBe(400);
      expect((await patch(inspector, id, { version: v + 1, category: '不存在的类别' })).status).toBe(400);
      expect((await patch(inspector, id, { title: '没有版本' })).status).toBe(400);
    });

    it('lets one of two concurrent edits win; the other gets 409 with the current version and changes nothing', async () => {
      const { id } = await raise();
      const v = (await t.http().get(`/api/v1/issues/${id}`).set(bearer(inspector))).body.version;
      const [a, b] = await Promise.all([
        patch(inspector, id, { version: v, measures: '甲的措施' }),
        patch(leader, id, { version: v, measures: '乙的措施' }),
      ]);
      expect([a.status, b.status].sort()).toEqual([200, 409]);
      const loser = a.status === 409 ? a : b;
      expect(loser.body.details).toEqual({ version: v + 1 });
      const now = (await t.http().get(`/api/v1/issues/${id}`).set(bearer(inspector))).body;
      expect(now.measures).toBe((a.status === 200 ? a : b).body.measures);
      const history = (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(inspector))).body;
      expect(history.filter((h: { kind: string }) => h.kind === 'updated')).toHaveLength(1);
    });
  });

  describe('extensions (延期申请)', () => {
    it('the team asks, a leader approves; the original deadline stays and on-time is judged by the approved one', async () => {
      const { id } = await raise({ deadline: '2026-08-05' });
      await act(team1, id, { action: 'start' });
      expect((await act(team1, id, { action: 'request_extension', deadline: '2026-09-30' })).status).toBe(400);
      const asked = await act(team1, id, { action: 'request_extension', reason: '雨季施工受阻', deadline: '2026-09-30' });
      expect(asked.status).toBe(200);
      expect(asked.body).toMatchObject({ deadline: '2026-08-05', extensionRequest: { deadline: '2026-09-30', reason: '雨季施工受阻' } });
      expect((await act(team1, id, { action: 'approve_extension' })).status).toBe(403);
      const approved = await act(leader, id, { action: 'approve_extension' });
      expect(approved.body).toMatchObject({ deadline: '2026-09-30', originalDeadline: '2026-08-05', extensionRequest: null });
      // Past the original deadline, within the approved one: on time.
      clock.set('2026-08-20T02:00:00Z');
      try {
        const again = await t.http().get(`/api/v1/issues/${id}`).set(bearer(team1));
        expect(again.body).toMatchObject({ overdue: false });
        await act(team1, id, { action: 'submit', comment: '完成', evidenceIds: [await evidence(id)] });
        expect((await act(inspector, id, { action: 'approve', comment: '经核查整改到位' })).body).toMatchObject({
          status: 'closed',
          closedOnTime: true,
        });
      } finally {
        clock.set('2026-08-01T02:00:00Z');
      }
      const history = (await t.http().get(`/api/v1/issues/${id}/history`).set(bearer(team1))).body;
      expect(history.find((h: { action: string }) => h.action === 'approve_extension')).toMatchObject({
        kind: 'deadline_changed',
        data: { from: '2026-08-05', to: '2026-09-30', originalDeadline: '2026-08-05' },
      });
    });

    it('refuses a request after the deadline, a second request while one waits, and a reject without a reason', async () => {
      const late = await raise({ deadline: '2026-07-31' });
      expect((await act(team1, late.id, { action: 'request_extension', reason: '来不及', deadline: '2026-09-30' })).status).toBe(400);
      const { id } = await raise();
      await act(team1, id, { action: 'request_extension', reason: '材料未到', deadline: '2026-09-30' });
      const twice = await act(team1, id, { action: 'request_extension', reason: '再申请', deadline: '2026-10-30' });
      expect(twice.status).toBe(409);
      expect((await act(inspector, id, { action: 'reject_extension' })).status).toBe(400);
      const rejected = await act(inspector, id, { action: 'reject_extension', reason: '理由不充分，按原时限完成' });
      expect(rejected.body).toMatchObject({ deadline: '2026-08-20', extensionRequest: null, originalDeadline: null });
    });

    it('holds four eyes on approving: the one who asked cannot approve their own request', async () => {
      const { id } = await raise();
      const asked = await act(leader, id, { action: 'request_extension', reason: '统筹安排', deadline: '2026-09-30' });
      expect(asked.status).toBe(200);
      const self = await act(leader, id, { action: 'approve_extension' });
      expect(self.status).toBe(403);
      expect(self.body.details).toEqual({ reason: 'requested' });
      expect((await act(inspector, id, { action: 'approve_extension' })).body.deadline).toBe('2026-09-30');
    });
  });

  it('keeps the history append-only: the database refuses to change or delete it', async () => {
    const db = t.app.get(DataSource);
    await expect(db.query(`UPDATE ticket_event SET comment = 'changed'`)).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM ticket_event`)).rejects.toThrow(/append-only/);
  });
});
