import { Inject, Injectable, Logger } from '@nestjs/common';
import { Units } from '@app/org';
import { Clock, Principal } from '@app/platform';
import { EvidenceService, EvidenceView, HistoryChainService, TicketService } from '@app/tickets';
import type { Readable, Writable } from 'node:stream';
import sharp from 'sharp';
import { DataSource } from 'typeorm';
import { ZipFile } from 'yazl';
import type { Rendition } from '../documents.views';
import { PdfRenderer } from '../render/pdf-renderer';
import { TemplateRegistry } from '../render/template-registry';
import { dossierTitle } from '../wording/dossier-wording';
import { dossierContext, DossierData, dossierData } from './dossier-data';

const PHOTO_TYPES = new Set(['image/jpeg', 'image/png', 'image/webp', 'image/heic', 'image/heif']);
const THUMBNAIL_PX = 360;

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A name safe inside a zip on Windows, macOS and Linux alike. */
function entryName(name: string): string {
  const printable = [...name].map((c) => (c.charCodeAt(0) < 0x20 ? '_' : c)).join('');
  return printable.replace(/[\\/:*?"<>|]/g, '_').slice(0, 120) || 'file';
}

/**
 * The 整改档案 of one ticket: the ticket, each history entry with actor and time, the evidence
 * with thumbnails, its checks and EXIF, the verifier and the history chain's head, in the style
 * of the other documents; as HTML, PDF, or a zip of the PDF and the original files.
 */
@Injectable()
export class DossierService {
  private readonly logger = new Logger('Dossier');

  constructor(
    @Inject(DataSource) private readonly db: DataSource,
    private readonly tickets: TicketService,
    private readonly evidence: EvidenceService,
    private readonly chains: HistoryChainService,
    private readonly templates: TemplateRegistry,
    private readonly pdf: PdfRenderer,
    private readonly clock: Clock,
  ) {}

  /** The dossier's HTML, for anyone who may read the ticket (404 otherwise). */
  async html(principal: Principal, ticketId: string): Promise<{ code: string; html: string; files: EvidenceView[] }> {
    const ticket = await this.tickets.get(principal, ticketId);
    const [history, files, chain, unit] = await Promise.all([
      this.tickets.history(principal, ticketId),
      this.evidence.list(principal, ticketId),
      this.chains.verify(principal, ticketId),
      Units.byId(this.db, ticket.unitId),
    ]);
    const zone = unit?.timezone ?? 'Asia/Shanghai';
    const withThumbnails = [];
    for (const f of files) withThumbnails.push({ ...f, thumbnail: await this.thumbnail(principal, ticketId, f) });
    const data = dossierData(ticket, history, withThumbnails, chain, zone);
    return { code: ticket.code, html: this.render(data, ticket.unitName, zone), files };
  }

  /** Renders dossier data as the 公文-style page (the golden file is made the same way). */
  render(data: DossierData, unitName: string, zone: string): string {
    return this.templates.renderReport('dossier', dossierContext(data, unitName, zone, this.clock.now()));
  }

  async renderPdf(principal: Principal, ticketId: string): Promise<Rendition> {
    const { code, html } = await this.html(principal, ticketId);
    return { body: await this.pdf.render(html), mediaType: 'application/pdf', filename: `${dossierTitle(code)}.pdf` };
  }

  /**
   * The zip of the dossier: the PDF first, then every original file under 佐证材料/, numbered as
   * in the PDF's evidence table. Everything that can refuse (scope, printing) happens before
   * `write` is called, so a refusal is an error response and not a broken download.
   */
  async zip(principal: Principal, ticketId: string): Promise<{ filename: string; write: (out: Writable) => Promise<void> }> {
    const { code, html, files } = await this.html(principal, ticketId);
    const pdf = await this.pdf.render(html);
    const write = async (out: Writable) => {
      const zip = new ZipFile();
      const done = new Promise<void>((resolve, reject) => {
        out.on('finish', resolve);
        out.on('error', reject);
        zip.outputStream.on('error', reject);
      });
      zip.outputStream.pipe(out);
      zip.addBuffer(pdf, `${entryName(dossierTitle(code))}.pdf`);
      for (const [i, f] of files.entries()) {
        const { stream } = await this.evidence.open(principal, ticketId, f.id);
        zip.addReadStream(stream, `佐证材料/${String(i + 1).padStart(2, '0')}-${entryName(f.filename)}`, {
          compress: !PHOTO_TYPES.has(f.mediaType),
        });
      }
      zip.end();
      await done;
    };
    return { filename: `${dossierTitle(code)}.zip`, write };
  }

  private async thumbnail(principal: Principal, ticketId: string, f: EvidenceView): Promise<string | null> {
    if (!PHOTO_TYPES.has(f.mediaType)) return null;
    try {
      const { stream } = await this.evidence.open(principal, ticketId, f.id);
      const jpeg = await sharp(await readAll(stream))
        .rotate()
        .resize(THUMBNAIL_PX, THUMBNAIL_PX, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 70 })
        .toBuffer();
      return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
    } catch (e) {
      this.logger.warn(`no thumbnail for evidence ${f.id}: ${(e as Error).message}`);
      return null;
    }
  }
}
