import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OrgImportResult, OrgImportService, OrgUnitService, Page, UnitDetailView, UnitView } from '@app/org';
import { CurrentPrincipal, Principal, readUploadedFile } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { AssignmentsDto, CreateOrgUnitDto, ImportQuery, ListOrgUnitsQuery, UpdateOrgUnitDto } from './org.dto';
import { ApiErrors, ApiResult, MULTIPART_FILE_BODY } from '../common/openapi';

const unitId = new IdPipe('Org unit');

@ApiTags('org')
@ApiBearerAuth()
@Controller('org-units')
export class OrgUnitsController {
  constructor(
    private readonly units: OrgUnitService,
    private readonly importer: OrgImportService,
  ) {}

  @Post()
  @ApiResult('Unit', 201)
  @ApiErrors(403, 409)
  @ApiOperation({ summary: 'Add a unit: a village under a township, a township under a county, an office or group under either' })
  create(@CurrentPrincipal() p: Principal, @Body() body: CreateOrgUnitDto): Promise<UnitView> {
    return this.units.create(p, body);
  }

  @Get()
  @ApiResult('UnitPage')
  @ApiOperation({ summary: 'Units in your scope, optionally the children of one unit' })
  list(@CurrentPrincipal() p: Principal, @Query() q: ListOrgUnitsQuery): Promise<Page<UnitView>> {
    return this.units.list(p, q);
  }

  @Post('import')
  @ApiBody(MULTIPART_FILE_BODY)
  @ApiResult('OrgImportResult')
  @ApiErrors(403, 422)
  @HttpCode(200)
  @ApiConsumes('multipart/form-data')
  @ApiOperation({
    summary:
      'Bulk import of the org tree from CSV/XLSX (名称, 类型, 上级; optional 编码, 时区, 经度, 纬度); all or nothing, 422 with every bad row',
  })
  async import(@CurrentPrincipal() p: Principal, @Req() req: unknown, @Query() q: ImportQuery): Promise<OrgImportResult> {
    const file = await readUploadedFile(req, 10 * 1024 * 1024);
    return this.importer.import(p, file.data, file.filename, q.dryRun ?? false);
  }

  @Get(':id')
  @ApiResult('UnitDetail')
  get(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string): Promise<UnitDetailView> {
    return this.units.get(p, id);
  }

  @Patch(':id')
  @ApiResult('Unit')
  @ApiErrors(403, 409)
  @ApiOperation({ summary: 'Rename, recode, locate (lat, lon), change the time zone (descendants sharing it follow) or move a unit' })
  update(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string, @Body() body: UpdateOrgUnitDto): Promise<UnitView> {
    return this.units.update(p, id, body);
  }

  @Delete(':id')
  @ApiResult({}, 204, 'removed')
  @ApiErrors(403, 409)
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove an empty unit (409 while it has units, members or records)' })
  remove(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string): Promise<void> {
    return this.units.remove(p, id);
  }

  @Get(':id/assignments')
  @ApiResult('UnitList')
  @ApiErrors(403)
  @ApiOperation({ summary: 'Units an inspection group inspects beyond its own subtree' })
  assignments(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string): Promise<UnitView[]> {
    return this.units.assignments(p, id);
  }

  @Put(':id/assignments')
  @ApiResult('UnitList')
  @ApiErrors(403)
  setAssignments(@CurrentPrincipal() p: Principal, @Param('id', unitId) id: string, @Body() body: AssignmentsDto): Promise<UnitView[]> {
    return this.units.setAssignments(p, id, body.unitIds);
  }
}
