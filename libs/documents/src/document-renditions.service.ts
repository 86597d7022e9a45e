import { Injectable } from '@nestjs/common';
import { NotFound, Principal } from '@app/platform';
import { DocumentService } from './documents.service';
import type { Rendition } from './documents.views';
import { bulletinDocx } from './render/bulletin-docx';
import { PdfRenderer } from './render/pdf-renderer';

export const PDF_TYPE = 'application/pdf';
export const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

/** The print renditions of a document of record, derived from what was stored at issue. */
@Injectable()
export class DocumentRenditions {
  constructor(
    private readonly documents: DocumentService,
    private readonly pdf: PdfRenderer,
  ) {}

  /** The issued HTML printed to A4 by Chromium; 503 when this server has no Chromium. */
  async toPdf(principal: Principal, id: string): Promise<Rendition> {
    const { document, html } = await this.documents.html(principal, id);
    return { body: await this.pdf.render(html), mediaType: PDF_TYPE, filename: `${document.title}（${document.numberLabel}）.pdf` };
  }

  /** The bulletin as a Word file, which offices edit and forward. */
  async toDocx(principal: Principal, id: string): Promise<Rendition> {
    const { document, snapshot } = await this.documents.snapshot(principal, id);
    if (document.kind !== 'bulletin') throw new NotFound(`A Word rendition of a ${document.kind} document`);
    return { body: await bulletinDocx(snapshot), mediaType: DOCX_TYPE, filename: `${document.title}（${document.numberLabel}）.docx` };
  }
}
