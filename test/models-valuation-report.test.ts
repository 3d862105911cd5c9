/**
 * The valuation model's eval end to end, small enough for CI: a quick evaluation of the shipped
 * weights (the real code path: dataset, scoring, baselines), its HTML report opened in real
 * Chromium (both charts render, the coverage table lists every held-out family and the study's
 * RFQs, no console or page errors, no network).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../models/runtime/backend.ts";
import { runValuationEval, TEST_FAMILIES } from "../models/valuation/run-valuation.ts";
import { haveChromium, openReportPage, warnWithoutChromium } from "./harness/report-page.ts";

warnWithoutChromium("models-valuation-report.test.ts");

describe("valuation eval report", () => {
  it("writes an HTML report with the coverage and reliability figures that renders in Chromium", async () => {
    await selectBackend({ prefer: "cpu" });
    const out = mkdtempSync(join(tmpdir(), "valuation-report-"));
    const e = await runValuationEval({ quick: true, out });
    expect(e.coverage.lossByGroup.map((g) => g.group)).toEqual([...TEST_FAMILIES, "study RFQs"]);
    const html = readFileSync(e.html, "utf8");
    expect(html).toContain(`${e.coverage.loss.toFixed(3)}`);
    // The shipped weights track the loss interval: the report shows the tracked coverage too.
    expect(e.coverage.lossTracked).toBeDefined();
    expect(html).toContain(
      `tracked by the lender's outcomes: loss, all held-out (step ${e.coverage.lossTracked!.eta})`,
    );
    expect(html).toContain(e.coverage.lossTracked!.coverage.toFixed(3));
    for (const r of e.shortfallTable) expect(html).toContain(r.name);

    if (!haveChromium) return;
    const { page, charts, errors, requests, close } = await openReportPage(e.html);
    try {
      expect(charts.length).toBe(2); // coverage against the target band, reliability
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(200);
        expect(c.height).toBeGreaterThan(60);
        expect(c.marks).toBeGreaterThan(3);
      }
      const headings = await page.$$eval("h2", (hs) => hs.map((h) => h.textContent ?? ""));
      expect(headings).toContain("Interval coverage");
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await close();
    }
  }, 300_000);
});
