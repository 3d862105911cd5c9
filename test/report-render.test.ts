/**
 * The contagion report as a person sees it: a small study is written to disk and opened in
 * headless Chromium (Debian's `chromium`, driven by playwright-core); every chart must render
 * with visible marks. Chromium is installed by .ci/run; on a machine without it this test says
 * how to get it and, outside CI, is skipped.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { runContagionStudy } from "../sims/engine/run-contagion-study.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const have = existsSync(CHROMIUM);
if (!have) {
  const msg = `Chromium not found at ${CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`report-render.test.ts skipped: ${msg}`);
}

describe.skipIf(!have)("contagion report in a browser", () => {
  it("renders every chart with visible marks", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "report-"));
    const { files } = await runContagionStudy({ seeds: 2, outDir, engine: { positionsPerLending: 500 } });
    expect(files).toBeDefined();
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(`file://${files!.html}`);
      const charts = await page.$$eval("svg", (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const marks = svg.querySelectorAll("path, rect, circle, line, polyline").length;
          return { width: box.width, height: box.height, marks };
        }),
      );
      expect(charts.length).toBeGreaterThanOrEqual(5);
      for (const c of charts) {
        expect(c.width).toBeGreaterThan(100);
        expect(c.height).toBeGreaterThan(50);
        expect(c.marks).toBeGreaterThan(2);
      }
      const headings = await page.$$eval("h2", (hs) => hs.map((h) => h.textContent));
      expect(headings).toEqual(expect.arrayContaining(["Summary", "By mode", "Exposure network"]));
      await page.screenshot({ path: join(outDir, "report.png"), fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
