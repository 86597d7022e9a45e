import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { TaskInput, TaskListService, TaskListView } from '@app/cycles';
import { CurrentPrincipal, Principal, Public, ValidationFailed } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { ConsoleErrorFilter } from './console-error.filter';
import { CreateTaskListDto, ReplaceTasksDto } from '../cycles/cycles.dto';
import { checkedForm, ConsolePages, dateField, field, fields, FormBody, formOf, numberField } from './console-page';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';
import { ConsoleTownships } from './townships';

/** Rows of the task-list editor. */
const EDITOR_ROWS = 5;
/** Rows a posted editor form may carry (a draft being edited can have more than the blank editor). */
const EDITOR_MAX_ROWS = 200;

/** The tasks of the editor's rows; a row without a title is left out. */
function tasksOf(body: FormBody): TaskInput[] {
  const tasks: TaskInput[] = [];
  for (let i = 0; i < EDITOR_MAX_ROWS; i++) {
    const title = field(body, `title${i}`);
    if (!title) continue;
    const unitIds = fields(body, `unitIds${i}`);
    if (!unitIds.length) throw ValidationFailed.field(`unitIds${i}`, 'assign the task to at least one team');
    tasks.push({
      title,
      indicator: field(body, `indicator${i}`) || undefined,
      target: numberField(body, `target${i}`),
      measureUnit: field(body, `measureUnit${i}`) || undefined,
      unitIds,
      deadline: dateField(body, `deadline${i}`) as string,
    });
  }
  if (!tasks.length) throw ValidationFailed.field('title0', 'enter at least one task');
  return tasks;
}

/** A draft's tasks as editor rows: the list keeps one task per team, the editor one row per item. */
function draftRows(list: TaskListView): Array<Omit<TaskInput, 'target'> & { target?: number | null }> {
  const rows = new Map<number, Omit<TaskInput, 'target'> & { target?: number | null }>();
  for (const task of list.tasks) {
    const row = rows.get(task.itemNo);
    if (row) row.unitIds.push(task.unitId);
    else
      rows.set(task.itemNo, {
        title: task.title,
        indicator: task.indicator ?? undefined,
        target: task.target,
        measureUnit: task.measureUnit ?? undefined,
        deadline: task.deadline,
        unitIds: [task.unitId],
      });
  }
  return [...rows.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

/** The task-list editor (月交办 + 任务清单): draft, edit and dispatch the month's tasks to the teams. */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller()
export class DispatchConsoleController {
  constructor(
    private readonly lists: TaskListService,
    private readonly townships: ConsoleTownships,
    private readonly pages: ConsolePages,
  ) {}

  @Get('dispatch')
  async taskLists(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Query('unitId') unitId?: string,
    @Query('period') periodText?: string,
    @Query('edit') editId?: string,
  ): Promise<void> {
    const { township, choices } = await this.townships.choose(p, unitId);
    const period = this.pages.periodOf(periodText);
    const [lists, teams] = await Promise.all([this.lists.list(p, { unitId: township.id, period }), this.townships.teams(p, township.id)]);
    const editing = lists.find((l) => l.id === editId && l.status === 'draft');
    const drafted = editing ? draftRows(editing) : [];
    const allTeams = teams.map((u) => u.id);
    const t = this.pages.t(req);
    this.pages.show(req, reply, 'task-lists', {
      title: t.nav.taskLists,
      township,
      townships: choices,
      period,
      lists,
      teams,
      editing,
      rows: Array.from({ length: Math.max(EDITOR_ROWS, drafted.length + 1) }, (_, i) => ({
        i,
        n: i + 1,
        ...(drafted[i] ?? { deadline: `${period}-25`, unitIds: allTeams }),
      })),
    });
  }

  @Post('dispatch')
  async createTaskList(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const body = formOf(req);
    const { township } = await this.townships.posted(p, field(body, 'unitId'));
    const period = this.pages.periodOf(field(body, 'period'));
    const input = await checkedForm(CreateTaskListDto, {
      unitId: township.id,
      period,
      title: field(body, 'title') || undefined,
      tasks: tasksOf(body),
    });
    await this.lists.create(p, input, { dispatch: Boolean(field(body, 'dispatch')) });
    this.pages.redirect(reply, `/dispatch?unitId=${township.id}&period=${period}`);
  }

  /** Saves the edited tasks of a draft list (and dispatches it when asked). */
  @Post('dispatch/:id/tasks')
  async replaceTasks(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', new IdPipe('Task list')) id: string,
  ): Promise<void> {
    const body = formOf(req);
    const input = await checkedForm(ReplaceTasksDto, { title: field(body, 'title') || undefined, tasks: tasksOf(body) });
    const list = await this.lists.replaceTasks(p, id, input.tasks, input.title, { dispatch: Boolean(field(body, 'dispatch')) });
    this.pages.redirect(reply, `/dispatch?unitId=${list.unitId}&period=${list.period}`);
  }

  @Post('dispatch/:id')
  async dispatch(
    @CurrentPrincipal() p: Principal,
    @Res() reply: ConsoleReply,
    @Param('id', new IdPipe('Task list')) id: string,
  ): Promise<void> {
    const list = await this.lists.dispatchNow(p, id);
    this.pages.redirect(reply, `/dispatch?unitId=${list.unitId}&period=${list.period}`);
  }
}
