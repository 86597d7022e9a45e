import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import {
  CampaignDetail,
  CampaignFigures,
  CampaignService,
  CampaignSummary,
  DrawView,
  RosterImportResult,
  RosterImportService,
  SampleService,
  VerdictResult,
  VerdictService,
} from '@app/campaigns';
import { CampaignReports } from '@app/documents';
import { AppConfig, CurrentPrincipal, Principal, readUploadedFile } from '@app/platform';
import { sendRendition, StreamReply } from '../common/downloads';
import { IdPipe } from '../common/id.pipe';
import {
  CampaignDetailDto,
  CampaignSummaryDto,
  CreateCampaignDto,
  DrawDto,
  HouseholdPageDto,
  HouseholdsQuery,
  ReportQuery,
  ListCampaignsQuery,
  RosterImportResultDto,
  SampleDto,
  VerdictResultDto,
  VerdictsDto,
} from './campaigns.dto';

const campaignId = new IdPipe('Campaign');

@ApiTags('campaigns')
@ApiBearerAuth()
@ApiNotFoundResponse({ description: 'no such campaign, or one outside your scope' })
@Controller('campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly figures: CampaignFigures,
    private readonly roster: RosterImportService,
    private readonly samples: SampleService,
    private readonly verdicts: VerdictService,
    private readonly reports: CampaignReports,
    private readonly config: AppConfig,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Record a verification campaign (专项核查), which is an inspection of source verification too' })
  @ApiCreatedResponse({ type: CampaignSummaryDto })
  @ApiBadRequestResponse({ description: 'malformed input, with the failing fields' })
  @ApiForbiddenResponse({ description: 'not an inspector, leader or administrator over the unit' })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateCampaignDto): Promise<CampaignSummary> {
    return this.campaigns.create(p, body);
  }

  @Get()
  @ApiOperation({ summary: 'Campaigns that concern you' })
  @ApiOkResponse({ type: [CampaignSummaryDto] })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListCampaignsQuery): Promise<CampaignSummary[]> {
    return this.campaigns.list(p, q);
  }

  @Get(':id')
  @ApiOperation({ summary: 'A campaign with its roster, draws, cross-inspection, counts and rates (per village and in all)' })
  @ApiOkResponse({ type: CampaignDetailDto })
  get(@CurrentPrincipal() p: Principal, @Param('id', campaignId) id: string): Promise<CampaignDetail> {
    return this.figures.detail(p, id);
  }

  @Get(':id/households')
  @ApiOperation({ summary: 'The roster households you may see, with their draw, verdict and whether the last round checked them' })
  @ApiOkResponse({ type: HouseholdPageDto })
  households(@CurrentPrincipal() p: Principal, @Param('id', campaignId) id: string, @Query() q: HouseholdsQuery) {
    return this.figures.households(p, id, q);
  }

  @Post(':id/households/import')
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } } })
  @ApiOperation({
    summary: 'Import the household roster (.xlsx or .csv: 户主, 身份证号, 村, 组, 人数, 属性): all rows or none; 422 lists every bad row',
  })
  @ApiOkResponse({ type: RosterImportResultDto })
  @ApiForbiddenResponse({ description: 'not an inspector, leader or administrator over the campaign’s unit' })
  @ApiPayloadTooLargeResponse({ description: 'the file is larger than IMPORT_MAX_MB' })
  @ApiUnsupportedMediaTypeResponse({ description: 'not a spreadsheet' })
  @ApiUnprocessableEntityResponse({ description: 'bad rows in details.rows; nothing was written' })
  async importRoster(
    @CurrentPrincipal() p: Principal,
    @Param('id', campaignId) id: string,
    @Req() req: unknown,
  ): Promise<RosterImportResult> {
    const file = await readUploadedFile(req, this.config.IMPORT_MAX_MB * 1024 * 1024);
    return this.roster.import(p, id, file);
  }

  @Post(':id/sample')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Draw the month’s villages and households by the rules from a recorded seed, and pair each village with a team not its own',
  })
  @ApiOkResponse({ type: DrawDto })
  @ApiForbiddenResponse({ description: 'not an inspector, leader or administrator over the campaign’s unit' })
  @ApiConflictResponse({ description: 'the month was drawn already from another seed, or nothing is left to draw' })
  sample(@CurrentPrincipal() p: Principal, @Param('id', campaignId) id: string, @Body() body: SampleDto): Promise<DrawView> {
    return this.samples.sample(p, id, body);
  }

  @Post(':id/verdicts')
  @HttpCode(200)
  @ApiOperation({ summary: 'Record verdicts on households; each verdict other than correct opens one ticket on the household’s village' })
  @ApiOkResponse({ type: VerdictResultDto })
  @ApiBadRequestResponse({ description: 'malformed input, or a verdict that does not fit the household’s 属性' })
  @ApiForbiddenResponse({ description: 'neither the village’s team, the team sent to check it, nor an inspector or leader over it' })
  @ApiConflictResponse({ description: 'the household’s verdict opened a ticket and cannot be changed' })
  recordVerdicts(@CurrentPrincipal() p: Principal, @Param('id', campaignId) id: string, @Body() body: VerdictsDto): Promise<VerdictResult> {
    return this.verdicts.record(p, id, body.items);
  }

  @Get(':id/report')
  @ApiOperation({
    summary:
      'The campaign report: counts and rates per village and in all, draws, cross-inspection and the registration forms with signature lines',
  })
  @ApiProduces('text/html', 'application/pdf', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @ApiOkResponse({ description: 'the report as HTML (default), PDF or XLSX', schema: { type: 'string', format: 'binary' } })
  @ApiServiceUnavailableResponse({ description: 'PDF asked for and this server has no Chromium' })
  async report(
    @CurrentPrincipal() p: Principal,
    @Param('id', campaignId) id: string,
    @Query() q: ReportQuery,
    @Res() reply: StreamReply,
  ): Promise<void> {
    const r = await this.reports.render(p, id, q.format ?? 'html', q.lang ?? 'zh');
    if ((q.format ?? 'html') === 'html') {
      reply
        .header('content-type', r.mediaType)
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; img-src data:")
        .header('x-content-type-options', 'nosniff');
      reply.send(r.body);
      return;
    }
    sendRendition(reply, r);
  }
}
