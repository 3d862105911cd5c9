/**
 * The contagion report as a person sees it: small studies are written to disk and opened in
 * headless Chromium (Debian's `chromium`, driven by playwright-core). The page must load with no
 * console error, every chart must be an SVG with visible marks, no two texts of a chart may
 * overlap, nothing may be requested from the network, no internal URL or machine path may appear,
 * and a sweep's report must show every swept value with its tail figures. Chromium is installed
 * by .ci/run; on a machine without it this test says how to get it and, outside CI, is skipped.
 */
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SCENARIO, runContagionStudy } from "../sims/engine/run-contagion-study.ts";
import { runHerdingStudy } from "../sims/herding/run-herding.ts";
import { loadScenario } from "../sims/scenarios/load-scenario.ts";
import { STUDY_PRICE_PATHS, withPricePaths } from "../sims/scenarios/with-price-paths.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const have = existsSync(CHROMIUM);
if (!have) {
  const msg = `Chromium not found at ${CHROMIUM}: install it (Debian/Ubuntu: apt-get install chromium) or set CHROMIUM_PATH.`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`report-render.test.ts skipped: ${msg}`);
}

type Opened = {
  page: Page;
  /** Console errors and warnings, and uncaught page errors. */
  problems: string[];
  /** Every request the page made (the report itself included). */
  requests: string[];
};

async function open(browser: Browser, file: string): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 900 } });
  const requests: string[] = [];
  const problems: string[] = [];
  context.on("request", (r) => requests.push(r.url()));
  // Anything but the report file itself is refused (and recorded above).
  await context.route(
    (url) => url.protocol !== "file:",
    (route) => route.abort(),
  );
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`file://${file}`, { waitUntil: "load" });
  return { page, problems, requests };
}

type ChartCheck = {
  name: string;
  width: number;
  height: number;
  /** Drawn data marks with a visible box (axes, legends and titles excluded). */
  marks: number;
  /** Pairs of texts whose boxes overlap by more than a pixel each way. */
  overlaps: string[];
  /** Every axis title drawn. */
  axisTitles: string[];
};

/** The little of the DOM the checks use (the project compiles without the DOM library). */
type Box = { left: number; right: number; top: number; bottom: number; width: number; height: number };
type DomNode = {
  getBoundingClientRect(): Box;
  parentElement: DomNode | null;
  textContent: string | null;
  querySelectorAll(selector: string): Iterable<DomNode>;
};
type Style = { opacity: string; display: string; visibility: string };

/** Runs in the page: every chart's size, marks and overlapping texts. */
function checkCharts(page: Page): Promise<ChartCheck[]> {
  return page.$$eval("figure.chart", (figures) =>
    figures.map((figure) => {
      const svg = figure.querySelector("svg") as unknown as DomNode;
      const styleOf = (globalThis as unknown as { getComputedStyle(e: DomNode): Style }).getComputedStyle;
      const box = svg.getBoundingClientRect();
      const marks = [...svg.querySelectorAll("g.role-mark > *")].filter((el) => {
        const b = el.getBoundingClientRect();
        return b.width > 0 || b.height > 0;
      }).length;
      const visible = (el: DomNode) => {
        for (let e: DomNode | null = el; e && e !== svg; e = e.parentElement) {
          const style = styleOf(e);
          if (style.opacity === "0" || style.display === "none" || style.visibility === "hidden")
            return false;
        }
        return true;
      };
      const texts = [...svg.querySelectorAll("text")]
        .filter((t) => (t.textContent ?? "").trim() !== "" && visible(t))
        .map((t) => ({ text: t.textContent!.trim(), box: t.getBoundingClientRect() }));
      const overlaps: string[] = [];
      for (let i = 0; i < texts.length; i++)
        for (let j = i + 1; j < texts.length; j++) {
          const a = texts[i]!.box;
          const b = texts[j]!.box;
          const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
          const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
          if (w > 1 && h > 1) overlaps.push(`"${texts[i]!.text}" x "${texts[j]!.text}"`);
        }
      const axisTitles = [...svg.querySelectorAll("g.role-axis-title text")]
        .map((t) => (t.textContent ?? "").trim())
        .filter((t) => t !== "");
      return {
        name: figure.getAttribute("data-chart") ?? "?",
        width: box.width,
        height: box.height,
        marks,
        overlaps,
        axisTitles,
      };
    }),
  );
}

/** What must hold for any report: loads clean, offline, charts drawn, nothing overlaps. */
async function expectSoundReport(opened: Opened, file: string, outDir: string): Promise<ChartCheck[]> {
  const { page, problems, requests } = opened;
  expect(problems).toEqual([]);
  expect(requests).toEqual([`file://${file}`]);
  const charts = await checkCharts(page);
  expect(charts.length).toBeGreaterThan(5);
  for (const c of charts) {
    expect(c.width, c.name).toBeGreaterThan(150);
    expect(c.height, c.name).toBeGreaterThan(100);
    expect(c.marks, c.name).toBeGreaterThan(0);
    expect(c.overlaps, c.name).toEqual([]);
    // Every axis names its unit: in parentheses, or the axis is money, a per-asset price or a label axis.
    for (const t of c.axisTitles)
      expect(t, `${c.name}: axis "${t}"`).toMatch(/\(.+\)|^USD( per \S+| x hours)?$|^Protocol$/);
  }
  // No internal URL, no path of this machine; links only within the page.
  const html = readFileSync(file, "utf8");
  for (const bad of [
    "localhost",
    "127.0.0.1",
    "0.0.0.0",
    "file:",
    outDir,
    tmpdir(),
    process.cwd(),
    "<script",
    "<img",
    "<link",
  ])
    expect(html, bad).not.toContain(bad);
  const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
  expect(urls.every((u) => u === "http://www.w3.org/2000/svg" || u === "http://www.w3.org/1999/xlink")).toBe(
    true,
  );
  const hrefs = await page.$$eval("[href], [src]", (els) =>
    els.map((e) => e.getAttribute("href") ?? e.getAttribute("src") ?? ""),
  );
  for (const h of hrefs) expect(h.startsWith("#"), h).toBe(true);
  // Every link of the contents goes to a section of the page.
  const missing = await page.$$eval("nav.toc a", (as) =>
    as
      .map((a) => a.getAttribute("href")!.slice(1))
      .filter(
        (id) =>
          !(
            globalThis as unknown as { document: { getElementById(id: string): unknown } }
          ).document.getElementById(id),
      ),
  );
  expect(missing).toEqual([]);
  return charts;
}

describe.skipIf(!have)("contagion report in a browser", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({
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
  });
  afterAll(async () => {
    await browser?.close();
  });

  it("a study's report loads offline with every chart drawn and no overlapping text, the herding comparison among them", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "report-"));
    // As npm run sim does: the herding study first, its comparison in the study's report.
    const herding = await runHerdingStudy({
      scenario: withPricePaths({ scenario: loadScenario(DEFAULT_SCENARIO), paths: STUDY_PRICE_PATHS }),
      seeds: [1, 2],
    });
    const { files } = await runContagionStudy({
      seeds: 3,
      outDir,
      settlement: "ledger",
      engine: { positionsPerLending: 300 },
      herding,
    });
    const opened = await open(browser, files!.html);
    const charts = await expectSoundReport(opened, files!.html, outDir);
    const names = charts.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "exposure network",
        "price ETH",
        "distribution insolventDebtUsd",
        "time unmetUsd",
        "herding",
      ]),
    );
    expect(names.some((n) => n.startsWith("protocol "))).toBe(true);
    expect(names.some((n) => n.startsWith("loan timeline"))).toBe(true);
    const headings = await opened.page.$$eval("h2", (hs) => hs.map((h) => h.textContent));
    expect(headings).toEqual(
      expect.arrayContaining([
        "Conclusions",
        "Summary",
        "Distributions over seeds",
        "Over time",
        "Prices",
        "By protocol",
        "Exposure network",
        "Negotiated loans",
        "Herding: protocols de-risking in unison",
        "Metric definitions",
      ]),
    );
    // The herding table: a row per variant other than off, each with its synchrony.
    const herdingRows = await opened.page.$$eval("#herding tbody tr", (rs) =>
      rs.map((r) => r.querySelector("td")?.textContent ?? ""),
    );
    expect(herdingRows).toEqual([
      "unison",
      "unison-capped",
      "unison-paced",
      "diverse",
      "quorum",
      "model-shared",
      "model-diverse",
    ]);
    // One written conclusion per mode, each quoting numbers.
    const conclusions = await opened.page.$$eval(".conclusion p", (ps) => ps.map((p) => p.textContent ?? ""));
    expect(conclusions).toHaveLength(4);
    for (const c of conclusions) expect(c).toMatch(/\$\d/);
    await opened.page.screenshot({ path: join(outDir, "report.png"), fullPage: true });
  });

  it("a sweep's report shows every swept value with its VaR and LaR", async () => {
    const outDir = mkdtempSync(join(tmpdir(), "report-sweep-"));
    const values = [0.25, 0.5, 1];
    const { files } = await runContagionStudy({
      seeds: 2,
      modes: ["off", "negotiation"],
      outDir,
      settlement: "ledger",
      engine: { positionsPerLending: 200 },
      sweep: { option: "arbitrageRecoveryPerHour", values },
    });
    const opened = await open(browser, files!.html);
    const charts = await expectSoundReport(opened, files!.html, outDir);
    const page = opened.page;
    // No herding study ran alongside: no herding section.
    expect(await page.$$eval("#herding", (s) => s.length)).toBe(0);
    // The tail table: a row per swept value and mode, VaR and LaR in each.
    const rows = await page.$$eval("#sweep table tbody tr", (trs) =>
      trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? "").trim())),
    );
    expect(rows).toHaveLength(values.length * 2);
    for (const v of values) {
      const at = rows.filter((r) => r[0] === String(v));
      expect(at.map((r) => r[1])).toEqual(["off", "negotiation"]);
      for (const r of at) {
        expect(r[2]).toMatch(/^\$/); // VaR 95%
        expect(r[4]).toMatch(/^\$/); // LaR 95%
      }
    }
    // The sweep charts tick every swept value, and VaR and LaR have their own.
    const sweepCharts = charts.filter((c) => c.name.startsWith("sweep "));
    expect(sweepCharts.map((c) => c.name)).toEqual(expect.arrayContaining(["sweep varUsd", "sweep larUsd"]));
    const ticks = await page.$$eval(
      '#sweep figure.chart[data-chart="sweep varUsd"] .role-axis-label text',
      (ts) => ts.map((t) => t.textContent),
    );
    for (const v of values) expect(ticks).toContain(String(v));
    // Summary tables and conclusions for every value.
    const summaries = await page.$$eval("#summary details summary", (ss) => ss.map((s) => s.textContent));
    expect(summaries).toEqual(values.map((v) => `arbitrageRecoveryPerHour = ${v}`));
    await page.screenshot({ path: join(outDir, "report.png"), fullPage: true });
  });
});
