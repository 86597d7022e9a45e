import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import {
  depthLimitedJsonParser,
  HttpErrorFilter,
  PinoNestLogger,
  ProcessPlatformOptions,
  RateLimits,
  registerInputGuards,
} from '@app/platform';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { CONSOLE_ROUTES, registerConsoleHttp } from './console/console-http';
import { createValidationPipe } from './common/validation';
import { completeOpenApi, ErrorBody } from './common/openapi';
import { registerMetricsHttp } from './observability/metrics-http';
import { registerQueueBoard } from './observability/queue-board';

export const API_PREFIX = 'api/v1';

/** The largest JSON or form body (files go through multipart, with their own limits). */
const BODY_LIMIT = 2 * 1024 * 1024;

/**
 * Builds the HTTP application (not yet listening): Fastify, validation, errors, OpenAPI; with
 * `alongside`, other modules (the job worker's) run in the same process.
 */
export async function createApiApp(platform: ProcessPlatformOptions, alongside: ReadonlyArray<Type> = []): Promise<NestFastifyApplication> {
  const { config, logger } = platform;
  const adapter = new FastifyAdapter({
    loggerInstance: logger.child({ context: 'http' }),
    trustProxy: config.TRUST_PROXY,
    bodyLimit: BODY_LIMIT,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(platform, alongside), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const limits = app.get(RateLimits);
  fastify.addHook('onRequest', async (request) => {
    // Probes of a load balancer or orchestrator come from one address, often.
    if (request.url.startsWith(`/${API_PREFIX}/health`)) return;
    await limits.consume('address', request.ip);
  });
  registerInputGuards(fastify);
  app.useBodyParser('application/json', { bodyLimit: BODY_LIMIT }, depthLimitedJsonParser(fastify));
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  // Security headers on every answer. The console loads its scripts (htmx) from /assets only;
  // styles may be inline (htmx adds its indicator style, charts are inline SVG). Routes that
  // serve files or documents set a stricter policy of their own.
  await app.register(fastifyHelmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:', 'blob:'],
        // The service is often reached over plain http on an office network: no forced upgrade.
        'upgrade-insecure-requests': null,
      },
    },
    // Plain-http deployments on an intranet must not be pinned to https.
    strictTransportSecurity: false,
  });
  await app.register(fastifyMultipart, { limits: { fileSize: 64 * 1024 * 1024, files: 1, fields: 20 } });
  await registerConsoleHttp(app);
  registerMetricsHttp(app);
  await registerQueueBoard(app);
  // The web console is served at the root, outside the API's prefix.
  app.setGlobalPrefix(API_PREFIX, { exclude: CONSOLE_ROUTES });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());

  const document = completeOpenApi(
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('Rectification tracker API (整改销号 / 督查督办)')
        .setDescription(
          'Inspection findings become tickets with owners and deadlines, closed out on verified evidence; the monthly township cycle runs by itself.',
        )
        .setVersion('1')
        .addBearerAuth()
        .build(),
      { extraModels: [ErrorBody] },
    ),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', useGlobalPrefix: false });
  return app;
}
