// Line charts over the live window, drawn by uPlot, in the page's theme colours and as wide as their box.

import uPlot from './vendor/uplot.js';

/** Series colours readable on both the light and the dark background. */
export const palette = [
  '#3b82f6',
  '#f59e0b',
  '#10b981',
  '#ef4444',
  '#8b5cf6',
  '#06b6d4',
  '#ec4899',
  '#84cc16',
];

/**
 * @param {string} name
 */
function cssVariable(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * A line chart: `x` in seconds since the epoch, one line per series.
 * @typedef {{ element: HTMLElement, update: (x: number[], series: { label: string, values: (number | null)[] }[]) => void, destroy: () => void }} LineChart
 * @param {{ title: string, unit: string, format: (value: number) => string }} options
 * @returns {LineChart}
 */
export function lineChart(options) {
  const element = document.createElement('div');
  element.className = 'chart';
  /** @type {uPlot | undefined} */
  let plot;
  /** @type {string} */
  let labels = '';
  const size = () => ({ width: Math.max(element.clientWidth, 240), height: 220 });
  const resize = new ResizeObserver(() => plot?.setSize(size()));
  resize.observe(element);

  /**
   * @param {number[]} x
   * @param {{ label: string, values: (number | null)[] }[]} series
   */
  const update = (x, series) => {
    const key = series.map((s) => s.label).join('\n');
    /** @type {uPlot.AlignedData} */
    const data = [x, ...series.map((s) => s.values)];
    if (plot && key === labels) {
      plot.setData(data);
      return;
    }
    // The set of lines changed (a router appeared or left): uPlot needs a new chart for that.
    plot?.destroy();
    labels = key;
    const axis = cssVariable('--muted');
    const grid = cssVariable('--grid');
    /** @type {uPlot.Axis} */
    const style = { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    plot = new uPlot(
      {
        ...size(),
        title: options.title,
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
        axes: [style, { ...style, size: 72, values: (_u, values) => values.map((v) => options.format(v)) }],
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            stroke: palette[i % palette.length] ?? '#888',
            width: 1.5,
            spanGaps: false,
            value: (/** @type {uPlot} */ _u, /** @type {number | null} */ v) =>
              v === null ? '—' : options.format(v),
          })),
        ],
      },
      data,
      element,
    );
  };
  return {
    element,
    update,
    destroy() {
      resize.disconnect();
      plot?.destroy();
      plot = undefined;
    },
  };
}
