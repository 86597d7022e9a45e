import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TaskListService, TaskListView, TaskService, TaskView } from '@app/cycles';
import { CurrentPrincipal, Principal } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { CreateTaskListDto, ProgressDto, ReplaceTasksDto, TaskListQuery, TasksQuery } from './cycles.dto';
import { ApiErrors, ApiResult } from '../common/openapi';
import { ApiIdempotent, IdempotencyKey } from '../common/idempotency-key';

@ApiTags('tasks')
@ApiBearerAuth()
@Controller()
export class TasksController {
  constructor(
    private readonly lists: TaskListService,
    private readonly tasks: TaskService,
  ) {}

  @Post('task-lists')
  @ApiResult('TaskList', 201)
  @ApiErrors(403, 404, 409)
  @ApiOperation({ summary: 'Draft the month’s task list (任务清单): one task per assignee team; dispatched by the dispatch step' })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateTaskListDto): Promise<TaskListView> {
    return this.lists.create(p, body);
  }

  @Get('task-lists')
  @ApiResult('TaskLists')
  @ApiErrors(404)
  list(@CurrentPrincipal() p: Principal, @Query() q: TaskListQuery): Promise<TaskListView[]> {
    return this.lists.list(p, q);
  }

  @Get('task-lists/:id')
  @ApiResult('TaskList')
  get(@CurrentPrincipal() p: Principal, @Param('id', new IdPipe('Task list')) id: string): Promise<TaskListView> {
    return this.lists.get(p, id);
  }

  @Put('task-lists/:id/tasks')
  @ApiResult('TaskList')
  @ApiErrors(403, 409)
  @ApiOperation({ summary: 'Replace the tasks of a draft list' })
  replace(
    @CurrentPrincipal() p: Principal,
    @Param('id', new IdPipe('Task list')) id: string,
    @Body() body: ReplaceTasksDto,
  ): Promise<TaskListView> {
    return this.lists.replaceTasks(p, id, body.tasks, body.title);
  }

  @Post('task-lists/:id/dispatch')
  @ApiResult('TaskList')
  @ApiErrors(403, 409)
  @HttpCode(200)
  @ApiOperation({ summary: 'Dispatch a draft list now (for a list drafted after the dispatch step ran)' })
  dispatch(@CurrentPrincipal() p: Principal, @Param('id', new IdPipe('Task list')) id: string): Promise<TaskListView> {
    return this.lists.dispatchNow(p, id);
  }

  @Get('tasks')
  @ApiResult('Tasks')
  @ApiErrors(404)
  @ApiOperation({ summary: 'Dispatched tasks of a unit (or every team under it with subtree=true) for a month' })
  tasksOf(@CurrentPrincipal() p: Principal, @Query() q: TasksQuery): Promise<TaskView[]> {
    return this.tasks.list(p, q);
  }

  @Get('tasks/:id')
  @ApiResult('TaskDetail')
  task(@CurrentPrincipal() p: Principal, @Param('id', new IdPipe('Task')) id: string) {
    return this.tasks.get(p, id);
  }

  @Post('tasks/:id/progress')
  @ApiResult('Task')
  @ApiErrors(403, 409)
  @HttpCode(200)
  @ApiIdempotent()
  @ApiOperation({ summary: 'Report progress (actual against target); done when the target is reached' })
  progress(
    @CurrentPrincipal() p: Principal,
    @Param('id', new IdPipe('Task')) id: string,
    @Body() body: ProgressDto,
    @IdempotencyKey() key: string | undefined,
  ): Promise<TaskView> {
    return this.tasks.reportProgress(p, id, body, { idempotencyKey: key });
  }
}
