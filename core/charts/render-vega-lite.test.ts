import { describe, expect, it } from "vitest";
import { ChartRenderError, renderVegaLiteToSvg } from "./render-vega-lite.ts";

describe("renderVegaLiteToSvg", () => {
  it("renders a line chart with inline data to an SVG with one path per series", async () => {
    const svg = await renderVegaLiteToSvg({
      spec: {
        title: "two series",
        width: 300,
        height: 200,
        data: {
          values: [
            { x: 0, y: 0, s: "a" },
            { x: 1, y: 1, s: "a" },
            { x: 0, y: 1, s: "b" },
            { x: 1, y: 0, s: "b" },
          ],
        },
        mark: "line",
        encoding: {
          x: { field: "x", type: "quantitative" },
          y: { field: "y", type: "quantitative" },
          color: { field: "s", type: "nominal" },
        },
      },
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("</svg>");
    expect(svg).toContain("two series");
    // Two line marks: Vega draws each as a path in the "mark-line" group.
    const lineGroup = svg.slice(svg.indexOf('class="mark-line'));
    expect(lineGroup.match(/<path/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    // Self-contained: no script and no external reference.
    expect(svg).not.toContain("<script");
    expect(svg).not.toMatch(/href="http/);
  });

  it("refuses a spec whose data is a URL, without touching the network", async () => {
    const err = await renderVegaLiteToSvg({
      name: "remote",
      spec: {
        data: { url: "https://example.invalid/data.csv" },
        mark: "point",
        encoding: { x: { field: "a", type: "quantitative" } },
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChartRenderError);
    expect((err as ChartRenderError).message).toContain('Chart "remote"');
    expect((err as ChartRenderError).details).toContain("refusing");
  });

  it("names the chart when the spec is invalid", async () => {
    const err = await renderVegaLiteToSvg({
      name: "broken",
      spec: { data: { values: [] }, mark: "no-such-mark" } as never,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChartRenderError);
    expect((err as Error).message).toContain("broken");
  });

  it("hands warnings to onWarning instead of the console", async () => {
    const warnings: string[] = [];
    const svg = await renderVegaLiteToSvg({
      name: "conflict",
      onWarning: (w) => warnings.push(w),
      spec: {
        data: { values: [{ x: 1, y: 2, s: "a" }] },
        layer: [
          {
            mark: "line",
            encoding: {
              x: { field: "x", type: "quantitative" },
              y: { field: "y", type: "quantitative" },
              color: { field: "s", legend: null },
            },
          },
          {
            mark: "point",
            encoding: {
              x: { field: "x", type: "quantitative" },
              y: { field: "y", type: "quantitative" },
              color: { field: "s", legend: { title: "S" } },
            },
          },
        ],
      },
    });
    expect(svg.startsWith("<svg")).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("Conflicting legend property");
  });
});
