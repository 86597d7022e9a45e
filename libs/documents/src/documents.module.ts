import { Module } from '@nestjs/common';
import { AssessmentModule } from '@app/assessment';
import { CampaignsModule } from '@app/campaigns';
import { CyclesModule } from '@app/cycles';
import { OrgModule } from '@app/org';
import { TicketsModule } from '@app/tickets';
import { LedgerService } from './ledger/ledger.service';
import { CampaignReports } from './campaigns/campaign-report.service';
import { DocumentRenditions } from './document-renditions.service';
import { DocumentService } from './documents.service';
import { DossierService } from './dossier/dossier.service';
import { CycleDocumentsListener } from './issue/cycle-documents.listener';
import { DocumentIssuer } from './issue/document-issuer';
import { PdfRenderer } from './render/pdf-renderer';
import { TemplateRegistry } from './render/template-registry';

/**
 * Documents of record: templates, renderers (HTML, PDF, XLSX, CSV, DOCX), issued documents and
 * their numbering, and the problem / close-out ledger.
 */
@Module({
  imports: [OrgModule, TicketsModule, AssessmentModule, CampaignsModule, CyclesModule],
  providers: [
    CampaignReports,
    LedgerService,
    TemplateRegistry,
    DocumentIssuer,
    CycleDocumentsListener,
    DocumentService,
    PdfRenderer,
    DocumentRenditions,
    DossierService,
  ],
  exports: [DossierService, CampaignReports, LedgerService, TemplateRegistry, DocumentIssuer, DocumentService, DocumentRenditions],
})
export class DocumentsModule {}
