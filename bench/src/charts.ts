/**
 * Grouped bar charts as standalone SVG, with no dependency: the charts are a few dozen rectangles, axes and
 * labels, so a library would add more than it saves. `renderBarChart` is pure (a description in, a string
 * out); report.ts decides what is charted.
 */

/** One bar per group: a figure (a percentile, a rate). NaN (no samples) draws no bar. */
export interface ChartSeries {
  readonly name: string;
  readonly values: readonly number[];
}

export interface BarChart {
  readonly title: string;
  /** A second line under the title: what the bars are. */
  readonly subtitle: string;
  /** The value axis' label, with the unit. */
  readonly valueAxisLabel: string;
  /** One cluster of bars each, along the x axis. */
  readonly groups: readonly string[];
  readonly series: readonly ChartSeries[];
  /** Logarithmic value axis (latencies spanning decades); linear from 0 otherwise. */
  readonly logScale: boolean;
}

const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#9c755f"];
const BAR_WIDTH_PX = 14;
const GROUP_GAP_PX = 24;
const PLOT_HEIGHT_PX = 300;
const MARGIN = { top: 64, right: 170, bottom: 60, left: 80 } as const;
/** Group labels are drawn at this angle under their bars; their length decides the bottom and left margins. */
const GROUP_LABEL_ANGLE_DEG = 35;
/** Rough width of one character of the 11 px sans-serif labels. */
const CHAR_WIDTH_PX = 6.2;
const PLOT_WIDTH_MIN_PX = 320;
/** Group labels longer than this are cut (with an ellipsis) so that they stay under their bars. */
const GROUP_LABEL_CHARS_MAX = 48;

export function renderBarChart(chart: BarChart): string {
  for (const series of chart.series) {
    if (series.values.length !== chart.groups.length)
      throw new Error(
        `chart "${chart.title}": series ${series.name} has ${series.values.length} values for ${chart.groups.length} groups`,
      );
  }
  const groupWidthPx = chart.series.length * BAR_WIDTH_PX + GROUP_GAP_PX;
  const plotWidthPx = Math.max(PLOT_WIDTH_MIN_PX, chart.groups.length * groupWidthPx);
  const labelPx = Math.max(0, ...chart.groups.map((g) => shorten(g).length)) * CHAR_WIDTH_PX;
  const angleRad = (GROUP_LABEL_ANGLE_DEG * Math.PI) / 180;
  // The first group's label reaches left of the plot by its width along the angle, less the group's offset.
  const marginLeftPx = Math.max(MARGIN.left, Math.ceil(labelPx * Math.cos(angleRad) - GROUP_GAP_PX));
  const marginBottomPx = MARGIN.bottom + Math.ceil(labelPx * Math.sin(angleRad));
  const widthPx = marginLeftPx + plotWidthPx + MARGIN.right;
  const heightPx = MARGIN.top + PLOT_HEIGHT_PX + marginBottomPx;
  const scale = valueScale(chart);
  const yOf = (value: number): number => MARGIN.top + PLOT_HEIGHT_PX * (1 - scale.fraction(value));
  const baselineY = MARGIN.top + PLOT_HEIGHT_PX;
  const groupsLeftPx = marginLeftPx + (plotWidthPx - chart.groups.length * groupWidthPx) / 2;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}" viewBox="0 0 ${widthPx} ${heightPx}" font-family="sans-serif" font-size="11">`,
    `<rect width="${widthPx}" height="${heightPx}" fill="#ffffff"/>`,
    text(widthPx / 2, 22, chart.title, { size: 15, anchor: "middle", weight: "bold" }),
    text(widthPx / 2, 40, chart.subtitle, { size: 11, anchor: "middle", fill: "#555555" }),
  ];
  for (const tick of scale.ticks) {
    const y = round(yOf(tick));
    parts.push(
      `<line x1="${marginLeftPx}" y1="${y}" x2="${marginLeftPx + plotWidthPx}" y2="${y}" stroke="#e0e0e0"/>`,
      text(marginLeftPx - 6, y + 4, formatTick(tick), { anchor: "end" }),
    );
  }
  chart.groups.forEach((group, groupIndex) => {
    const left = groupsLeftPx + groupIndex * groupWidthPx + GROUP_GAP_PX / 2;
    chart.series.forEach((series, seriesIndex) => {
      const value = series.values[groupIndex]!;
      if (!Number.isFinite(value) || (chart.logScale && value <= 0)) return;
      const x = round(left + seriesIndex * BAR_WIDTH_PX);
      const y = round(yOf(value));
      parts.push(
        `<rect x="${x}" y="${y}" width="${BAR_WIDTH_PX - 2}" height="${round(Math.max(0, baselineY - y))}" fill="${colour(seriesIndex)}">` +
          `<title>${escapeXml(`${group}, ${series.name}: ${formatValue(value)}`)}</title></rect>`,
      );
    });
    const centreX = round(left + (chart.series.length * BAR_WIDTH_PX) / 2);
    parts.push(
      text(centreX, baselineY + 14, shorten(group), { anchor: "end", rotateDeg: -GROUP_LABEL_ANGLE_DEG, title: group }),
    );
  });
  parts.push(
    `<line x1="${marginLeftPx}" y1="${MARGIN.top}" x2="${marginLeftPx}" y2="${baselineY}" stroke="#333333"/>`,
    `<line x1="${marginLeftPx}" y1="${baselineY}" x2="${marginLeftPx + plotWidthPx}" y2="${baselineY}" stroke="#333333"/>`,
    text(marginLeftPx - 62, MARGIN.top + PLOT_HEIGHT_PX / 2, chart.valueAxisLabel, {
      anchor: "middle",
      rotateDeg: -90,
      size: 12,
    }),
    text(marginLeftPx + plotWidthPx / 2, heightPx - 8, "case", { anchor: "middle", size: 12 }),
  );
  chart.series.forEach((series, index) => {
    const x = marginLeftPx + plotWidthPx + 16;
    const y = MARGIN.top + index * 18;
    parts.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${colour(index)}"/>`,
      text(x + 18, y + 10, series.name, {}),
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}

interface ValueScale {
  /** Where a value sits on the axis, 0 (bottom) to 1 (top). */
  fraction(value: number): number;
  readonly ticks: readonly number[];
}

function valueScale(chart: BarChart): ValueScale {
  const values = chart.series.flatMap((s) => s.values).filter((v) => Number.isFinite(v) && (!chart.logScale || v > 0));
  const max = values.length > 0 ? Math.max(...values) : 1;
  if (chart.logScale) {
    const min = values.length > 0 ? Math.min(...values) : 1;
    const lowExp = Math.floor(Math.log10(min));
    const highExp = Math.max(lowExp + 1, Math.ceil(Math.log10(max)));
    const ticks = Array.from({ length: highExp - lowExp + 1 }, (_, i) => 10 ** (lowExp + i));
    return {
      fraction: (value) => (Math.log10(value) - lowExp) / (highExp - lowExp),
      ticks,
    };
  }
  const step = niceStep(max > 0 ? max / 5 : 1);
  const top = Math.max(step, Math.ceil(max / step) * step);
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step);
  return { fraction: (value) => value / top, ticks };
}

/** 1, 2 or 5 times a power of ten, at least `rough`. */
function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough));
  const multiple = [1, 2, 5, 10].find((m) => m * power >= rough) ?? 10;
  return multiple * power;
}

interface TextStyle {
  readonly size?: number;
  readonly anchor?: "start" | "middle" | "end";
  readonly weight?: "bold";
  readonly fill?: string;
  readonly rotateDeg?: number;
  /** A tooltip: the full text when the shown one is shortened. */
  readonly title?: string;
}

function text(x: number, y: number, content: string, style: TextStyle): string {
  const attributes = [
    `x="${round(x)}"`,
    `y="${round(y)}"`,
    style.size === undefined ? "" : `font-size="${style.size}"`,
    style.anchor === undefined ? "" : `text-anchor="${style.anchor}"`,
    style.weight === undefined ? "" : `font-weight="${style.weight}"`,
    style.fill === undefined ? "" : `fill="${style.fill}"`,
    style.rotateDeg === undefined ? "" : `transform="rotate(${style.rotateDeg} ${round(x)} ${round(y)})"`,
  ].filter((a) => a !== "");
  const title = style.title === undefined ? "" : `<title>${escapeXml(style.title)}</title>`;
  return `<text ${attributes.join(" ")}>${title}${escapeXml(content)}</text>`;
}

export function escapeXml(value: string): string {
  return value.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function shorten(label: string): string {
  return label.length <= GROUP_LABEL_CHARS_MAX ? label : `${label.slice(0, GROUP_LABEL_CHARS_MAX - 1)}…`;
}

function colour(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

function formatTick(value: number): string {
  if (value >= 1000) return value.toLocaleString("en-US", { maximumFractionDigits: 0 });
  return String(Number(value.toPrecision(3)));
}

function formatValue(value: number): string {
  return value.toLocaleString("en-US", { maximumSignificantDigits: 4 });
}
