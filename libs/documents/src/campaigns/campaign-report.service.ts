import { Injectable } from '@nestjs/common';
import {
  ATTRIBUTE_LABELS,
  CAMPAIGN_KIND_LABELS,
  CampaignDetail,
  CampaignFigures,
  CampaignRates,
  HouseholdView,
  VERDICT_LABELS,
} from '@app/campaigns';
import { Clock, Principal } from '@app/platform';
import { DateTime } from 'luxon';
import { PassThrough } from 'node:stream';
import type { Rendition } from '../documents.views';
import { dateLabel } from '../issue/document-content';
import type { Locale } from '../kinds';
import { PdfRenderer } from '../render/pdf-renderer';
import { TemplateRegistry } from '../render/template-registry';
import { openXlsxTable } from '../xlsx/xlsx-table-writer';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
/** The most registration forms one report prints; a larger campaign prints them village by village. */
const MAX_FORMS = 2000;

/** The registration form each 属性 is checked on (the seed's three forms). */
const FORM_TITLES = {
  exited: { zh: '脱贫退出户调查核实登记表', en: 'Exited household verification form' },
  registered: { zh: '现有建档立卡贫困户中识别不精准户调查核定登记表', en: 'Registered household identification form' },
  non_registered: { zh: '建档立卡贫困户调查登记表', en: 'Household registration survey form' },
};

const RATE_ROWS: Array<{ key: keyof CampaignRates; zh: string; en: string }> = [
  { key: 'wronglyIncluded', zh: '错评', en: 'Wrongly included' },
  { key: 'wronglyExcluded', zh: '漏评', en: 'Wrongly excluded' },
  { key: 'wronglyExited', zh: '错退', en: 'Wrongly exited' },
  { key: 'returnedToPoverty', zh: '返贫', en: 'Returned to poverty' },
];

/**
 * The campaign report (专项核查情况报告): counts and rates per village and in all, the draws and
 * cross-inspection, and the registration forms of the checked households with their signature
 * lines, as HTML, PDF (Chromium) or XLSX, in Chinese or English.
 */
@Injectable()
export class CampaignReports {
  constructor(
    private readonly figures: CampaignFigures,
    private readonly templates: TemplateRegistry,
    private readonly pdf: PdfRenderer,
    private readonly clock: Clock,
  ) {}

  private async context(principal: Principal, id: string, locale: Locale) {
    const detail = await this.figures.detail(principal, id);
    const checked: HouseholdView[] = [];
    for (let page = 1; checked.length < MAX_FORMS; page++) {
      const batch = await this.figures.households(principal, id, { page, pageSize: 200 });
      checked.push(...batch.items.filter((h) => h.verdict));
      if (batch.items.length < 200) break;
    }
    const lang = locale === 'en' ? 'en' : 'zh';
    const rates = (r: CampaignRates) =>
      RATE_ROWS.map((row) => ({ label: row[lang], households: r[row.key].households, persons: r[row.key].persons }));
    return {
      detail,
      data: {
        kindLabel: CAMPAIGN_KIND_LABELS[detail.kind][lang],
        rates: rates(detail.rates),
        counts: detail.counts,
        villages: detail.villages.map((v) => ({ ...v, rateRows: rates(v.rates) })),
        draws: detail.draws,
        assignments: detail.assignments,
        forms: checked.slice(0, MAX_FORMS).map((h) => ({
          ...h,
          formTitle: FORM_TITLES[h.attribute][lang],
          attributeLabel: ATTRIBUTE_LABELS[h.attribute][lang],
          verdictLabel: h.verdict ? VERDICT_LABELS[h.verdict][lang] : '',
        })),
      },
    };
  }

  async html(principal: Principal, id: string, locale: Locale): Promise<{ detail: CampaignDetail; html: string }> {
    const { detail, data } = await this.context(principal, id, locale);
    const zone = 'Asia/Shanghai';
    const html = this.templates.renderReport(locale === 'en' ? 'campaign_report.en' : 'campaign_report', {
      locale,
      header: {
        issuer: detail.issuedBy,
        numberLabel: '',
        title: detail.title,
        unitName: detail.unitName,
        period: detail.period,
        issuedDate: dateLabel(DateTime.fromJSDate(this.clock.now(), { zone }), locale),
        timezone: zone,
        corrects: null,
      },
      data,
    });
    return { detail, html };
  }

  async render(principal: Principal, id: string, format: 'html' | 'pdf' | 'xlsx', locale: Locale): Promise<Rendition> {
    if (format === 'xlsx') return this.xlsx(principal, id, locale);
    const { detail, html } = await this.html(principal, id, locale);
    if (format === 'html') return { body: html, mediaType: 'text/html; charset=utf-8', filename: `${detail.title}.html` };
    return { body: await this.pdf.render(html), mediaType: 'application/pdf', filename: `${detail.title}.pdf` };
  }

  private async xlsx(principal: Principal, id: string, locale: Locale): Promise<Rendition> {
    const { detail, data } = await this.context(principal, id, locale);
    const zh = locale !== 'en';
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise<void>((resolve, reject) => {
      out.on('end', resolve);
      out.on('error', reject);
    });
    const cols = (labels: string[]) => labels.map((header, i) => ({ header, width: i === 0 ? 22 : 12, numFmt: undefined }));
    const writer = openXlsxTable(out, {
      sheetName: zh ? '核查情况' : 'Checks',
      title: detail.title,
      subtitle: `${detail.issuedBy} ${detail.period}`,
      columns: cols(
        zh
          ? ['村', '户数', '核查户数', '错评户', '错评率', '漏评户', '漏评率', '错退户', '错退率', '返贫户']
          : ['Village', 'Households', 'Checked', 'Wrongly incl.', 'Rate', 'Wrongly excl.', 'Rate', 'Wrongly exited', 'Rate', 'Returned'],
      ),
    });
    const row = (name: string, households: number, checked: number, r: CampaignRates) => [
      name,
      households,
      checked,
      r.wronglyIncluded.households.count,
      r.wronglyIncluded.households.label,
      r.wronglyExcluded.households.count,
      r.wronglyExcluded.households.label,
      r.wronglyExited.households.count,
      r.wronglyExited.households.label,
      r.returnedToPoverty.households.count,
    ];
    await writer.write(data.villages.map((v) => row(v.villageName, v.households, v.counts.checked.households, v.rates)));
    await writer.finish({ totals: row(zh ? '合计' : 'Total', detail.households, detail.counts.checked.households, detail.rates) });
    await done;
    return { body: Buffer.concat(chunks), mediaType: XLSX_MEDIA_TYPE, filename: `${detail.title}.xlsx` };
  }
}
