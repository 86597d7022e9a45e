import type * as Echarts from 'echarts';

let echarts: typeof Echarts | undefined;

const FONT = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif';

/** Renders an ECharts option to an SVG string on the server: no script reaches the browser. */
function svg(option: Echarts.EChartsOption, width: number, height: number, label: string): string {
  // Loaded on the first chart, so that the service does not carry ECharts from start.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  echarts ??= require('echarts') as typeof Echarts;
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT, fontSize: 12 }, ...option });
    // Scales with its container (viewBox), and names itself for screen readers.
    return chart
      .renderToSVGString()
      .replace(/^<svg width="\d+" height="\d+"/, `<svg role="img" aria-label="${escapeAttr(label)}" class="chart"`);
  } finally {
    chart.dispose();
  }
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
