/**
 * The valuation model's eval end to end, small enough for CI: a quick evaluation of the shipped
 * weights (the real code path: dataset, scoring, baselines), its HTML report opened in real
 * Chromium (both charts render, the coverage table lists every held-out family and the study's
 * RFQs, no console or page errors, no network).
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { selectBackend } from "../models/runtime/backend.ts";
import { runValuationEval, TEST_FAMILIES } from "../models/valuation/run-valuation.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  const msg = `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`models-valuation-report.test.ts: report check skipped: ${msg}`);
}

describe("valuation eval report", () => {
  it("writes an HTML report with the coverage and reliability figures that renders in Chromium", async () => {
    await selectBackend({ prefer: "cpu" });
    const out = mkdtempSync(join(tmpdir(), "valuation-report-"));
    const e = await runValuationEval({ quick: true, out });
    expect(e.coverage.lossByGroup.map((g) => g.group)).toEqual([...TEST_FAMILIES, "study RFQs"]);
    const html = readFileSync(e.html, "utf8");
    expect(html).toContain(`${e.coverage.loss.toFixed(3)}`);
    for (const r of e.shortfallTable) expect(html).toContain(r.name);

    if (!haveChromium) return;
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (x) => errors.push(x.message));
      page.on("console", (m) => {
        if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
      });
      const requests: string[] = [];
      page.on("request", (q) => {
        if (!q.url().startsWith("file://")) requests.push(q.url());
      });
      await page.goto(`file://${e.html}`);
      const charts = await page.$$eval("figure > svg", (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          return {
            width: box.width,
            height: box.height,
            marks: svg.querySelectorAll("path, rect, line").length,
          };
        }),
      );
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
      await browser.close();
    }
  }, 300_000);
});
