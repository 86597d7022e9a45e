import { renderSvgChart } from '@app/documents';
import type * as Echarts from 'echarts';

/** A chart for the screen: scales with its container (viewBox) and names itself for screen readers. */
function svg(option: Echarts.EChartsOption, width: number, height: number, label: string): string {
  return renderSvgChart({ textStyle: { fontSize: 12 }, ...option }, width, height).replace(
    /^<svg width="\d+" height="\d+"/,
    `<svg role="img" aria-label="${escapeAttr(label)}" class="chart"`,
  );
}

function escapeAttr(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Close-out rate per village, one horizontal bar each, in percent. */
export function closeRateChart(rows: Array<{ name: string; rate: number }>, label: string): string {
  const height = Math.max(120, 26 * rows.length + 40);
  return svg(
    {
      grid: { left: 96, right: 44, top: 10, bottom: 24 },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: {
        type: 'category',
        inverse: true,
        data: rows.map((r) => r.name),
        axisLabel: { width: 90, overflow: 'truncate', fontSize: 12 },
      },
      series: [
        {
          type: 'bar',
          data: rows.map((r) => Math.round(r.rate * 100)),
          label: { show: true, position: 'right', formatter: '{c}%' },
          itemStyle: { color: '#2e7d32' },
        },
      ],
    },
    420,
    height,
    label,
  );
}

/** Overdue tickets per month, as a line. */
export function overdueTrendChart(points: Array<{ period: string; count: number }>, label: string): string {
  return svg(
    {
      grid: { left: 40, right: 20, top: 20, bottom: 30 },
      xAxis: { type: 'category', data: points.map((p) => p.period) },
      yAxis: { type: 'value', minInterval: 1 },
      series: [{ type: 'line', data: points.map((p) => p.count), label: { show: true }, itemStyle: { color: '#c62828' } }],
    },
    420,
    220,
    label,
  );
}
