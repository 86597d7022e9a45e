import type * as Echarts from 'echarts';
import type { Locale } from '../kinds';

let loaded: typeof Echarts | undefined;

/** ECharts costs ~20 MB of resident memory; it is loaded when the first chart is drawn, not at start. */
function echarts(): typeof Echarts {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require('echarts') as typeof Echarts);
}

export interface CloseOutRate {
  unitName: string;
  /** 0..1 */
  rate: number;
}

/**
 * Close-out rate per team as an SVG bar chart, rendered on the server by ECharts (no canvas,
 * no browser). The ids ECharts numbers per chart instance are renumbered from zero, so the
 * same data always gives the same SVG (and the document the same sha256).
 */
export function closeOutRateChart(rates: readonly CloseOutRate[], locale: Locale = 'zh'): string {
  const height = Math.max(160, 60 + rates.length * 26);
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width: 640, height });
  try {
    chart.setOption({
      animation: false,
      textStyle: { fontFamily: '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif' },
      title: {
        text: locale === 'zh' ? '各工作队整改销号率' : 'Close-out rate per team',
        left: 'center',
        textStyle: { fontSize: 14 },
      },
      grid: { left: 150, right: 60, top: 36, bottom: 24 },
      xAxis: { type: 'value', min: 0, max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', inverse: true, data: rates.map((r) => r.unitName), axisLabel: { fontSize: 12 } },
      series: [
        {
          type: 'bar',
          barMaxWidth: 16,
          itemStyle: { color: '#c00000' },
          label: { show: true, position: 'right', formatter: '{c}%' },
          data: rates.map((r) => Math.round(r.rate * 1000) / 10),
        },
      ],
    });
    return normaliseIds(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

function normaliseIds(svg: string): string {
  const seen = new Map<string, string>();
  return svg.replace(/zr\d+-[A-Za-z]+-\d+/g, (token) => {
    if (!seen.has(token)) seen.set(token, `chart-${seen.size}`);
    return seen.get(token)!;
  });
}
