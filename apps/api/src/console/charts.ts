import { renderSvgChart } from '@app/documents';
import type * as Echarts from 'echarts';

/**
 * Drawn this wide, a chart fills a 360 px phone's column at about its natural size, so its
 * 13 px labels read at 12 px or more; on a wider screen it scales up.
 */
export const CHART_WIDTH = 320;
export const CHART_FONT_PX = 13;

/** A chart for the screen: scales with its container (viewBox) and names itself for screen readers. */
function svg(option: Echarts.EChartsOption, width: number, height: number, label: string): string {
  return renderSvgChart({ textStyle: { fontSize: CHART_FONT_PX }, ...option }, width, height).replace(
    /^<svg width="\d+" height="\d+"/,
    `<svg role="img" aria-label="${escapeAttr(label)}" class="chart"`,
  );
}

function escapeAttr(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Close-out rate per village, one horizontal bar each, in percent. A village with nothing to
 * close shows `noTickets` (无问题) and no bar: 100 % would read as "all done".
 */
export function closeRateChart(rows: Array<{ name: string; rate: number; total: number }>, label: string, noTickets: string): string {
  const height = Math.max(120, 28 * rows.length + 44);
  return svg(
    {
      grid: { left: 92, right: 56, top: 10, bottom: 28 },
      xAxis: { type: 'value', max: 100, splitNumber: 2, axisLabel: { formatter: '{value}%', fontSize: CHART_FONT_PX } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: rows.map((r) => r.name),
        axisLabel: { width: 86, overflow: 'truncate', fontSize: CHART_FONT_PX },
      },
      series: [
        {
          type: 'bar',
          data: rows.map((r) => (r.total ? Math.round(r.rate * 100) : { value: 0, label: { formatter: noTickets, color: '#555' } })),
          label: { show: true, position: 'right', formatter: '{c}%', fontSize: CHART_FONT_PX },
          itemStyle: { color: '#2e7d32' },
        },
      ],
    },
    CHART_WIDTH,
    height,
    label,
  );
}

/** Overdue tickets per month, as a line. */
export function overdueTrendChart(points: Array<{ period: string; count: number }>, label: string): string {
  return svg(
    {
      grid: { left: 32, right: 12, top: 22, bottom: 30 },
      // Months as 08 rather than 2026-08, so six of them fit a phone's width at a legible size.
      xAxis: { type: 'category', data: points.map((p) => p.period.slice(5)), axisLabel: { fontSize: CHART_FONT_PX, interval: 0 } },
      yAxis: { type: 'value', minInterval: 1, axisLabel: { fontSize: CHART_FONT_PX } },
      series: [
        {
          type: 'line',
          data: points.map((p) => p.count),
          label: { show: true, fontSize: CHART_FONT_PX },
          itemStyle: { color: '#c62828' },
        },
      ],
    },
    CHART_WIDTH,
    220,
    label,
  );
}
