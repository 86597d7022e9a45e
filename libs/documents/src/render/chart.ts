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

const FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif';

/**
 * An ECharts option drawn to an SVG string on the server (no canvas, no browser), in the CJK
 * font, without animation. The ids ECharts numbers per chart instance are renumbered from zero,
 * so the same option always gives the same SVG (and a document the same sha256).
 */
export function renderSvgChart(option: Echarts.EChartsOption, width: number, height: number): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    const textStyle = { fontFamily: FONT, ...option.textStyle };
    chart.setOption({ animation: false, ...option, textStyle });
    return normaliseIds(chart.renderToSVGString());
  } finally {
    chart.dispose();
  }
}

/** Close-out rate per team as an SVG bar chart, for the bulletin. */
export function closeOutRateChart(rates: readonly CloseOutRate[], locale: Locale = 'zh'): string {
  const height = Math.max(160, 60 + rates.length * 26);
  return renderSvgChart(
    {
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
    },
    640,
    height,
  );
}

function normaliseIds(svg: string): string {
  const seen = new Map<string, string>();
  return svg.replace(/zr\d+-[A-Za-z]+-\d+/g, (token) => {
    if (!seen.has(token)) seen.set(token, `chart-${seen.size}`);
    return seen.get(token)!;
  });
}
