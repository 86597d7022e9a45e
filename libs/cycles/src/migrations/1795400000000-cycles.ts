import { MigrationInterface, QueryRunner } from 'typeorm';

const PERIOD = `CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$')`;

/** Township calendars, cycle runs and their outputs, task lists, self-checks, accountability, notifications and webhooks. */
export class Cycles1795400000000 implements MigrationInterface {
  name = 'Cycles1795400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cycle_calendar (
        unit_id uuid PRIMARY KEY REFERENCES org_unit (id) ON DELETE CASCADE,
        config jsonb NOT NULL,
        -- Steps due before this instant are not caught up (a township joins mid-month).
        starts_at timestamptz NOT NULL,
        version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL,
        updated_by uuid REFERENCES app_user (id) ON DELETE SET NULL
      )`);

    // One row per township, period and step (or calendar event): the guard of exactly-once.
    await q.query(`
      CREATE TABLE cycle_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        period text NOT NULL ${PERIOD},
        key text NOT NULL CHECK (key ~ '^(step|event):'),
        state text NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed')),
        due_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        started_at timestamptz,
        finished_at timestamptz,
        error text,
        summary jsonb,
        trigger text NOT NULL CHECK (trigger IN ('schedule', 'manual')),
        triggered_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT cycle_run_once UNIQUE (unit_id, period, key),
        CHECK (state <> 'done' OR finished_at IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX cycle_run_unfinished ON cycle_run (state) WHERE state <> 'done'`);

    // The data a step produced (the lists its documents are made of), written with the run.
    await q.query(`
      CREATE TABLE cycle_output (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL REFERENCES cycle_run (id) ON DELETE CASCADE,
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        period text NOT NULL ${PERIOD},
        kind text NOT NULL CHECK (kind IN ('task_list', 'self_check_report', 'rectification_list', 'progress_list', 'bulletin', 'evaluation_list')),
        subject_unit_id uuid REFERENCES org_unit (id) ON DELETE CASCADE,
        data jsonb NOT NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE UNIQUE INDEX cycle_output_once
        ON cycle_output (run_id, kind, coalesce(subject_unit_id, '00000000-0000-0000-0000-000000000000'::uuid))`);
    await q.query(`CREATE INDEX cycle_output_lookup ON cycle_output (unit_id, period, kind)`);

    await q.query(`
      CREATE TABLE task_list (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        period text NOT NULL ${PERIOD},
        title text NOT NULL,
        status text NOT NULL CHECK (status IN ('draft', 'dispatched')),
        created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        dispatched_at timestamptz,
        CONSTRAINT task_list_one_per_month UNIQUE (unit_id, period),
        CHECK ((status = 'dispatched') = (dispatched_at IS NOT NULL))
      )`);

    await q.query(`
      CREATE TABLE task (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        task_list_id uuid NOT NULL REFERENCES task_list (id) ON DELETE CASCADE,
        item_no integer NOT NULL CHECK (item_no >= 1),
        title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 500),
        indicator text,
        target numeric(14, 2) CHECK (target IS NULL OR target > 0),
        measure_unit text,
        assignee_unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        deadline date NOT NULL,
        actual numeric(14, 2) NOT NULL DEFAULT 0 CHECK (actual >= 0),
        done boolean NOT NULL DEFAULT false,
        completed_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT task_item_per_unit UNIQUE (task_list_id, item_no, assignee_unit_id)
      )`);
    await q.query(`CREATE INDEX task_assignee ON task (assignee_unit_id, deadline)`);

    await q.query(`
      CREATE TABLE task_progress (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        task_id uuid NOT NULL REFERENCES task (id) ON DELETE CASCADE,
        actual numeric(14, 2) NOT NULL CHECK (actual >= 0),
        comment text,
        evidence_ids uuid[] NOT NULL DEFAULT '{}',
        actor_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX task_progress_task ON task_progress (task_id, created_at)`);

    // A team's monthly self-check report (自查报告) and the problems it found (as tickets).
    await q.query(`
      CREATE TABLE self_check (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        township_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        period text NOT NULL ${PERIOD},
        summary text NOT NULL CHECK (length(btrim(summary)) BETWEEN 1 AND 20000),
        checklist jsonb NOT NULL,
        problem_count integer NOT NULL DEFAULT 0,
        inspection_id uuid REFERENCES inspection (id) ON DELETE SET NULL,
        filed_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
        filed_at timestamptz NOT NULL,
        on_time boolean NOT NULL,
        CONSTRAINT self_check_once UNIQUE (unit_id, period)
      )`);
    await q.query(`CREATE INDEX self_check_township ON self_check (township_id, period)`);

    // 追责问责: a ticket overdue past the grace period names its unit and responsible person.
    await q.query(`
      CREATE TABLE accountability_record (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        ticket_id uuid NOT NULL REFERENCES ticket (id) ON DELETE RESTRICT,
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE RESTRICT,
        township_id uuid REFERENCES org_unit (id) ON DELETE SET NULL,
        person text,
        deadline date NOT NULL,
        days_overdue integer NOT NULL CHECK (days_overdue > 0),
        created_at timestamptz NOT NULL,
        CONSTRAINT accountability_once UNIQUE (ticket_id, deadline)
      )`);
    await q.query(`CREATE INDEX accountability_unit ON accountability_record (unit_id, created_at DESC)`);

    // A notification goes to one user, or to a unit's members or leaders; the dedupe key makes
    // a reminder or escalation go out once however often the sweep runs.
    await q.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid REFERENCES app_user (id) ON DELETE CASCADE,
        unit_id uuid REFERENCES org_unit (id) ON DELETE CASCADE,
        audience text NOT NULL CHECK (audience IN ('user', 'members', 'leaders')),
        kind text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        link text,
        data jsonb,
        dedupe_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        CHECK ((audience = 'user') = (user_id IS NOT NULL)),
        CHECK (audience = 'user' OR unit_id IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX notification_unit ON notification (unit_id, created_at DESC)`);
    await q.query(`CREATE INDEX notification_user ON notification (user_id, created_at DESC) WHERE user_id IS NOT NULL`);
    await q.query(`
      CREATE TABLE notification_read (
        notification_id uuid NOT NULL REFERENCES notification (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
        read_at timestamptz NOT NULL,
        PRIMARY KEY (notification_id, user_id)
      )`);

    await q.query(`
      CREATE TABLE unit_webhook (
        unit_id uuid PRIMARY KEY REFERENCES org_unit (id) ON DELETE CASCADE,
        url text NOT NULL CHECK (url ~ '^https?://'),
        style text NOT NULL CHECK (style IN ('wecom', 'dingtalk')),
        enabled boolean NOT NULL DEFAULT true,
        updated_at timestamptz NOT NULL
      )`);
    // The outbox of webhook messages: one row per notification and unit, sent at most once.
    await q.query(`
      CREATE TABLE webhook_delivery (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        notification_id uuid NOT NULL REFERENCES notification (id) ON DELETE CASCADE,
        unit_id uuid NOT NULL REFERENCES org_unit (id) ON DELETE CASCADE,
        url text NOT NULL,
        payload jsonb NOT NULL,
        state text NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        sent_at timestamptz,
        created_at timestamptz NOT NULL,
        CONSTRAINT webhook_delivery_once UNIQUE (notification_id, unit_id)
      )`);
    await q.query(`CREATE INDEX webhook_delivery_unsent ON webhook_delivery (created_at) WHERE state IN ('pending', 'sending')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of [
      'webhook_delivery',
      'unit_webhook',
      'notification_read',
      'notification',
      'accountability_record',
      'self_check',
      'task_progress',
      'task',
      'task_list',
      'cycle_output',
      'cycle_run',
      'cycle_calendar',
    ]) {
      await q.query(`DROP TABLE ${t}`);
    }
  }
}
