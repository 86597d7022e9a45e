import { Controller, Get, Param, Post, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { CampaignFigures, CampaignService, VERDICTS, VerdictService } from '@app/campaigns';
import { CurrentPrincipal, Principal, Public } from '@app/platform';
import { IdPipe } from '../common/id.pipe';
import { VerdictsDto } from '../campaigns/campaigns.dto';
import { ConsoleErrorFilter } from './console-error.filter';
import { checkedForm, ConsolePages, field, formOf, numberField } from './console-page';
import { ConsoleAuthGuard, ConsoleReply, ConsoleRequest } from './session';

const campaignId = new IdPipe('Campaign');
const MAX_ON_PHONE = 200;

/**
 * Verification campaigns on a phone: the campaigns that concern the caller, the villages its team
 * was sent to check, and one household per screen with its verdict form.
 */
@ApiExcludeController()
@Public()
@UseGuards(ConsoleAuthGuard)
@UseFilters(ConsoleErrorFilter)
@Controller('verification')
export class VerificationConsoleController {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly figures: CampaignFigures,
    private readonly verdicts: VerdictService,
    private readonly pages: ConsolePages,
  ) {}

  @Get()
  async list(@CurrentPrincipal() p: Principal, @Req() req: ConsoleRequest, @Res() reply: ConsoleReply): Promise<void> {
    const items = await this.campaigns.list(p, {});
    this.pages.show(req, reply, 'campaigns', { title: this.pages.t(req).nav.verification, items });
  }

  @Get(':id')
  async household(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', campaignId) id: string,
    @Query('i') index?: string,
  ): Promise<void> {
    const detail = await this.figures.detail(p, id);
    // Drawn households first (the supervision group's sample), then the rest of the visible roster.
    const drawn = await this.figures.households(p, id, { sampled: true, page: 1, pageSize: MAX_ON_PHONE });
    const list = drawn.items.length ? drawn : await this.figures.households(p, id, { page: 1, pageSize: MAX_ON_PHONE });
    const i = Math.max(0, Math.min(list.items.length - 1, Math.trunc(Number(index)) || 0));
    const t = this.pages.t(req);
    const household = list.items[i];
    const mine = new Set(p.scope.grants.map((g) => g.unitId));
    this.pages.show(req, reply, 'campaign-household', {
      title: detail.title,
      campaign: detail,
      household,
      position: { n: i + 1, total: list.items.length },
      prev: i > 0 ? i - 1 : undefined,
      next: i < list.items.length - 1 ? i + 1 : undefined,
      sentTo: detail.assignments.filter((a) => mine.has(a.teamId)),
      verdicts: VERDICTS.map((v) => ({ value: v, label: t.campaign.verdicts[v], checked: (household?.verdict ?? 'correct') === v })),
    });
  }

  @Post(':id/verdict')
  async record(
    @CurrentPrincipal() p: Principal,
    @Req() req: ConsoleRequest,
    @Res() reply: ConsoleReply,
    @Param('id', campaignId) id: string,
  ): Promise<void> {
    const body = formOf(req);
    const input = await checkedForm(VerdictsDto, {
      items: [
        {
          householdId: field(body, 'householdId'),
          verdict: field(body, 'verdict') as (typeof VERDICTS)[number],
          persons: numberField(body, 'persons'),
          note: field(body, 'note') || undefined,
        },
      ],
    });
    await this.verdicts.record(p, id, input.items);
    const next = Math.trunc(Number(field(body, 'next')));
    this.pages.redirect(
      reply,
      `/verification/${id}${Number.isFinite(next) && field(body, 'next') ? `?i=${next}` : `?i=${Math.trunc(Number(field(body, 'i'))) || 0}`}`,
    );
  }
}
