import fastifyMultipart from '@fastify/multipart';
import { Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { HttpErrorFilter, PinoNestLogger, ProcessPlatformOptions } from '@app/platform';
import { randomUUID } from 'node:crypto';
import { AppModule } from './app.module';
import { CONSOLE_ROUTES, registerConsoleHttp } from './console/console-http';
import { createValidationPipe } from './common/validation';

export const API_PREFIX = 'api/v1';

/**
 * Builds the HTTP application (not yet listening): Fastify, validation, errors, OpenAPI; with
 * `alongside`, other modules (the job worker's) run in the same process.
 */
export async function createApiApp(platform: ProcessPlatformOptions, alongside: ReadonlyArray<Type> = []): Promise<NestFastifyApplication> {
  const { config, logger } = platform;
  const adapter = new FastifyAdapter({
    loggerInstance: logger.child({ context: 'http' }),
    trustProxy: config.TRUST_PROXY,
    bodyLimit: 2 * 1024 * 1024,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(platform, alongside), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    abortOnError: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(fastifyMultipart, { limits: { fileSize: 64 * 1024 * 1024, files: 1, fields: 20 } });
  await registerConsoleHttp(app);
  // The web console is served at the root, outside the API's prefix.
  app.setGlobalPrefix(API_PREFIX, { exclude: CONSOLE_ROUTES });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpErrorFilter());

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Rectification tracker API (整改销号 / 督查督办)')
      .setDescription(
        'Inspection findings become tickets with owners and deadlines, closed out on verified evidence; the monthly township cycle runs by itself.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json', useGlobalPrefix: false });
  return app;
}
