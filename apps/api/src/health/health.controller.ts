import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthService, Public } from '@app/platform';
import { ApiErrors, ApiResult } from '../common/openapi';

interface Reply {
  status(code: number): Reply;
  send(body: unknown): void;
}

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthService) {}

  @Get()
  @ApiResult('Liveness')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiResult('Readiness')
  @ApiErrors(503)
  @ApiOperation({ summary: 'Readiness: the database and the job queue answer (503 when not)' })
  async ready(@Res() reply: Reply): Promise<void> {
    const r = await this.health.readiness();
    if (r.ready) {
      reply.status(200).send({ status: 'ok', ...r });
      return;
    }
    const down = Object.entries(r.checks)
      .filter(([, state]) => state === 'down')
      .map(([name]) => name);
    reply.status(503).send({
      statusCode: 503,
      error: 'Service Unavailable',
      message: `Not ready: ${down.join(' and ')} not reachable`,
      details: r,
    });
  }
}
