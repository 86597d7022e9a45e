import { Controller, Get, Logger, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { LedgerPage, LedgerService } from '@app/documents';
import { CurrentPrincipal, Principal } from '@app/platform';
import { CSV_TYPE, StreamReply, streamFile, XLSX_TYPE } from '../common/downloads';
import { LedgerPageDto, LedgerQueryDto } from './ledger.dto';

@ApiTags('documents')
@ApiBearerAuth()
@Controller()
export class LedgerController {
  private readonly logger = new Logger(LedgerController.name);

  constructor(private readonly ledger: LedgerService) {}

  @Get('ledger')
  @ApiProduces('application/json', XLSX_TYPE, CSV_TYPE)
  @ApiOkResponse({ type: LedgerPageDto, description: 'format=json; xlsx and csv answer the file' })
  @ApiOperation({
    summary: 'The problem and close-out ledger (问题台账 / 销号台账) of the units in your scope, with totals',
    description:
      'Filters by unit (with its subtree by default), found date, source, inspection round and feedback document. JSON is paged (`{ rows, totals, page, pageSize, total }`, ' +
      'totals over every selected row); `format=xlsx` and `format=csv` stream the whole ledger with a totals row and summaries.',
  })
  async get(@CurrentPrincipal() p: Principal, @Query() q: LedgerQueryDto, @Res() reply: StreamReply): Promise<void> {
    const query = {
      unitId: q.unitId,
      subtree: q.subtree,
      from: q.from,
      to: q.to,
      source: q.source,
      round: q.round,
      docNumber: q.docNumber,
    };
    if (!q.format || q.format === 'json') {
      const page: LedgerPage = await this.ledger.page(p, query, q.page, q.pageSize);
      reply.send(page);
      return;
    }
    // The filters and the scope are checked before the first byte, so they still answer 400 or 404.
    const selection = await this.ledger.select(p, query);
    const stem = this.ledger.fileStem(selection);
    if (q.format === 'xlsx') {
      streamFile(reply, { name: `${stem}.xlsx`, type: XLSX_TYPE }, (out) => this.ledger.writeXlsx(selection, out), this.logger);
    } else {
      streamFile(reply, { name: `${stem}.csv`, type: CSV_TYPE }, (out) => this.ledger.writeCsv(selection, out), this.logger);
    }
  }
}
