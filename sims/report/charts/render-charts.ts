/**
 * Charts into the page: each Vega-Lite spec gets the report's theme, is rendered to SVG at report
 * time (core/charts/render-vega-lite.ts: offline, inline data only) and wrapped in a <figure>
 * with a caption. Many SVGs share one HTML document, so ids inside each (clip paths, gradients)
 * get a per-chart prefix; otherwise `url(#clip1)` in the tenth chart would point into the first.
 * The renderer keeps the time it spent, for the report's footer and the benchmarks.
 */
import { renderVegaLiteToSvg, type VegaLiteSpec } from "../../../core/charts/render-vega-lite.ts";
import { esc } from "../html.ts";
import { CHART_CONFIG } from "./chart-theme.ts";

export type ChartRenderer = {
  /** A rendered chart in a <figure>; `caption` is HTML. */
  figure(p: {
    name: string;
    spec: VegaLiteSpec;
    caption?: string | undefined;
    wide?: boolean | undefined;
  }): Promise<string>;
  readonly charts: number;
  readonly renderMs: number;
  /** Vega-Lite's warnings, "chart: message" (a test asserts there are none). */
  readonly warnings: readonly string[];
  /** Time per chart, in render order. */
  readonly timings: readonly { name: string; ms: number }[];
};

/** Lines of at most `width` characters, broken after "; " where possible, else at spaces.
 *  Vega sizes a chart to its title by estimate (0.8 em a character): one long subtitle line
 *  would make the chart wider than its plot and push its neighbours to the next row. */
export function wrapText(text: string, width = 56): string[] {
  const lines: string[] = [];
  let line = "";
  for (const clause of text.split(/(?<=;) /)) {
    // A clause that does not fit on the current line starts a new one.
    if (line !== "" && line.length + 1 + clause.length > width) {
      lines.push(line);
      line = "";
    }
    for (const word of clause.split(" ")) {
      if (line !== "" && line.length + 1 + word.length > width) {
        lines.push(line);
        line = word;
      } else line = line === "" ? word : `${line} ${word}`;
    }
  }
  if (line !== "") lines.push(line);
  return lines;
}

function wrapTitle(spec: VegaLiteSpec): VegaLiteSpec {
  const title = spec.title;
  if (!title || typeof title !== "object" || Array.isArray(title)) return spec;
  const t = title as { text?: unknown; subtitle?: unknown };
  return {
    ...spec,
    title: {
      ...title,
      ...(typeof t.text === "string" ? { text: wrapText(t.text) } : {}),
      ...(typeof t.subtitle === "string" ? { subtitle: wrapText(t.subtitle) } : {}),
    },
  } as VegaLiteSpec;
}

/** Prefix every id defined in an SVG and every reference to one. */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!));
  if (ids.size === 0) return svg;
  return svg
    .replace(/\sid="([^"]+)"/g, (_m, id: string) => ` id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${prefix}${id})` : m))
    .replace(/(xlink:href|href)="#([^"]+)"/g, (m, attr: string, id: string) =>
      ids.has(id) ? `${attr}="#${prefix}${id}"` : m,
    );
}

export function createChartRenderer(): ChartRenderer {
  let charts = 0;
  let renderMs = 0;
  const warnings: string[] = [];
  const timings: { name: string; ms: number }[] = [];
  return {
    async figure({ name, spec, caption, wide }) {
      const started = performance.now();
      const themed = {
        ...wrapTitle(spec),
        config: { ...CHART_CONFIG, ...(spec.config ?? {}) },
      } as VegaLiteSpec;
      const svg = await renderVegaLiteToSvg({
        spec: themed,
        name,
        onWarning: (message) => warnings.push(`${name}: ${message}`),
      });
      charts++;
      const scoped = scopeSvgIds(svg, `c${charts}-`)
        // Label the graphic for screen readers; the caption says what it shows.
        .replace(/^<svg /, `<svg role="img" aria-label="${esc(name)}" `);
      const ms = performance.now() - started;
      renderMs += ms;
      timings.push({ name, ms });
      return `<figure class="chart${wide ? " wide" : ""}" data-chart="${esc(name)}">${scoped}${
        caption ? `<figcaption>${caption}</figcaption>` : ""
      }</figure>`;
    },
    get charts() {
      return charts;
    },
    get renderMs() {
      return renderMs;
    },
    warnings,
    timings,
  };
}
