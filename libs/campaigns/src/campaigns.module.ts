import { Module } from '@nestjs/common';
import { OrgModule } from '@app/org';
import { TicketsModule } from '@app/tickets';
import { CampaignFigures } from './campaigns/campaign-figures.service';
import { CampaignService } from './campaigns/campaign.service';
import { RosterImportService } from './households/roster-import.service';
import { CrossCheckListeners } from './sampling/cross-check-listeners';
import { SampleService } from './sampling/sample.service';
import { VerdictService } from './verdicts/verdict.service';
import { VerificationTickets } from './verdicts/verification-tickets';

/** Verification campaigns (专项核查): rosters, random draws and cross-inspection, verdicts, rates. */
@Module({
  imports: [OrgModule, TicketsModule],
  providers: [
    CampaignService,
    CampaignFigures,
    RosterImportService,
    SampleService,
    VerdictService,
    VerificationTickets,
    CrossCheckListeners,
  ],
  exports: [CampaignService, CampaignFigures, RosterImportService, SampleService, VerdictService, CrossCheckListeners],
})
export class CampaignsModule {}
