import { Controller, Get, Logger, Param, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DossierService } from '@app/documents';
import { CurrentPrincipal, Principal } from '@app/platform';
import { ChainReport, HistoryChainService } from '@app/tickets';
import { IdPipe } from '../common/id.pipe';
import { ApiErrors, ApiFile, ApiResult } from '../common/openapi';
import { sendRendition, StreamReply, streamFile } from '../common/downloads';
import { DossierQuery } from './ticket-records.dto';

const ticketId = new IdPipe('Ticket');

/** A ticket's record as evidence: its history's hash chain and its 整改档案. */
@ApiTags('tickets')
@ApiBearerAuth()
@Controller()
export class TicketRecordsController {
  private readonly logger = new Logger('Dossier');

  constructor(
    private readonly chains: HistoryChainService,
    private readonly dossiers: DossierService,
  ) {}

  @Get('issues/:id/history/verify')
  @ApiOperation({
    summary:
      'Re-compute the ticket history’s hash chain: { ok, entries, head }; when ok is false, brokenAt names the first entry that does not match (seq, id, reason)',
  })
  @ApiResult({
    type: 'object',
    required: ['ok', 'entries', 'head'],
    properties: {
      ok: { type: 'boolean' },
      entries: { type: 'integer' },
      head: { type: 'string', nullable: true, description: 'the last entry’s sha256, hex' },
      brokenAt: {
        type: 'object',
        properties: {
          seq: { type: 'integer', nullable: true },
          id: { type: 'integer', nullable: true },
          reason: { type: 'string', enum: ['missing_history', 'out_of_order', 'link_mismatch', 'hash_mismatch'] },
        },
      },
    },
  })
  @ApiErrors(404)
  verify(@CurrentPrincipal() p: Principal, @Param('id', ticketId) id: string): Promise<ChainReport> {
    return this.chains.verify(p, id);
  }

  @Get('issues/:id/dossier')
  @ApiOperation({
    summary:
      'The ticket’s 整改档案: the ticket, every history entry with actor and time, the evidence with thumbnails, checks and EXIF, the verifier and the history chain’s head; the zip adds the original files',
  })
  @ApiProduces('application/pdf', 'application/zip', 'text/html')
  @ApiFile(['application/pdf', 'application/zip', 'text/html'], 'the dossier')
  @ApiErrors(400, 404, 503)
  async dossier(
    @CurrentPrincipal() p: Principal,
    @Param('id', ticketId) id: string,
    @Query() q: DossierQuery,
    @Res() reply: StreamReply,
  ): Promise<void> {
    const format = q.format ?? 'pdf';
    if (format === 'html') {
      const { html } = await this.dossiers.html(p, id);
      reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        .header('x-content-type-options', 'nosniff');
      reply.send(html);
      return;
    }
    if (format === 'pdf') return sendRendition(reply, await this.dossiers.renderPdf(p, id));
    const zip = await this.dossiers.zip(p, id);
    streamFile(reply, { name: zip.filename, type: 'application/zip' }, zip.write, this.logger);
  }
}
