import { Body, Controller, Get, Logger, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { DocumentDetail, DocumentPage, DocumentRenditions, DocumentService } from '@app/documents';
import { CurrentPrincipal, Principal } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { CSV_TYPE, sendDocumentHtml, sendRendition, StreamReply, streamListSheet, XLSX_TYPE } from '../common/downloads';
import { DocumentDetailDto, DocumentPageDto, IssueDocumentDto, ListDocumentsQuery } from './documents.dto';
import { ApiErrors, ApiFile } from '../common/openapi';

const documentId = new IdPipe('Document');

@ApiTags('documents')
@ApiBearerAuth()
@Controller('documents')
export class DocumentsController {
  private readonly logger = new Logger(DocumentsController.name);

  constructor(
    private readonly documents: DocumentService,
    private readonly renditions: DocumentRenditions,
  ) {}

  @Get()
  @ApiOkResponse({ type: DocumentPageDto })
  @ApiOperation({ summary: 'Documents of record in your scope (bulletins, lists, reports), newest first' })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListDocumentsQuery): Promise<DocumentPage> {
    return this.documents.list(p, q);
  }

  @Post()
  @ApiOkResponse({ type: DocumentDetailDto })
  @ApiOperation({
    summary: 'Issue a document by hand (leader or inspector) from its cycle step’s data, or a correction (更正) with a new number',
    description:
      '409 when the step has not produced the data yet, when the document was already issued (pass `corrects`), or when it was already corrected. ' +
      'A `ledger` (问题台账) covers the unit’s subtree and the tickets found in `period` (YYYY-MM or YYYY), read at issue (a correction re-reads them); ' +
      '400 over 5,000 rows, which `GET /ledger?format=xlsx` gives instead.',
  })
  issue(@CurrentPrincipal() p: Principal, @Body() body: IssueDocumentDto): Promise<DocumentDetail> {
    return this.documents.issue(p, body);
  }

  @Get(':id')
  @ApiOkResponse({ type: DocumentDetailDto })
  @ApiOperation({ summary: 'A document of record: number, issuer, time, sha256, what it corrects, and its data snapshot' })
  get(@CurrentPrincipal() p: Principal, @Param('id', documentId) id: string): Promise<DocumentDetail> {
    return this.documents.get(p, id);
  }

  @Get(':id/html')
  @ApiFile(['text/html'], 'the document as HTML')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The HTML exactly as issued (A4 print styles); its sha256 is the document’s' })
  async html(@CurrentPrincipal() p: Principal, @Param('id', documentId) id: string, @Res() reply: StreamReply): Promise<void> {
    sendDocumentHtml(reply, await this.documents.html(p, id));
  }

  @Get(':id/pdf')
  @ApiFile(['application/pdf'], 'the document as PDF')
  @ApiErrors(503)
  @ApiProduces('application/pdf')
  @ApiOperation({ summary: 'The document printed to A4 PDF by headless Chromium; 503 when the server has no Chromium' })
  async pdf(@CurrentPrincipal() p: Principal, @Param('id', documentId) id: string, @Res() reply: StreamReply): Promise<void> {
    sendRendition(reply, await this.renditions.toPdf(p, id));
  }

  @Get(':id/docx')
  @ApiFile(['application/vnd.openxmlformats-officedocument.wordprocessingml.document'], 'the document as Word (.docx)')
  @ApiProduces('application/vnd.openxmlformats-officedocument.wordprocessingml.document')
  @ApiOperation({ summary: 'The supervision bulletin as a Word file in the 公文 layout (bulletins only)' })
  async docx(@CurrentPrincipal() p: Principal, @Param('id', documentId) id: string, @Res() reply: StreamReply): Promise<void> {
    sendRendition(reply, await this.renditions.toDocx(p, id));
  }

  @Get(':id/xlsx')
  @ApiFile(['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], 'the document as a workbook')
  @ApiProduces(XLSX_TYPE)
  @ApiOperation({ summary: 'A list document (task, rectification, progress, evaluation list, ledger) as an Excel workbook' })
  async xlsx(@CurrentPrincipal() p: Principal, @Param('id', documentId) id: string, @Res() reply: StreamReply): Promise<void> {
    streamListSheet(reply, await this.documents.snapshot(p, id), 'xlsx', this.logger);
  }

  @Get(':id/csv')
  @ApiFile(['text/csv'], 'the document as CSV')
  @ApiProduces(CSV_TYPE)
  @ApiOperation({ summary: 'A list document as CSV (UTF-8 with BOM, so Excel opens it)' })
  async csv(@CurrentPrincipal() p: Principal, @Param('id', documentId) id: string, @Res() reply: StreamReply): Promise<void> {
    streamListSheet(reply, await this.documents.snapshot(p, id), 'csv', this.logger);
  }
}
