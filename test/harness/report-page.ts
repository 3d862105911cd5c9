/**
 * Opening a self-contained HTML report in real Chromium (Debian's, or CHROMIUM_PATH), as the model
 * report tests do: what the page drew (each chart's box and mark count), and every page error,
 * console error or warning, and request that left the file (a report must load offline).
 */
import { existsSync } from "node:fs";
import { chromium, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const haveChromium = existsSync(CHROMIUM);

/** Without Chromium: an error in CI, a warning (and the caller skips its page check) elsewhere. */
export function warnWithoutChromium(testFile: string): void {
  if (haveChromium) return;
  const msg = `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set CHROMIUM_PATH.`;
  if (process.env.CI) throw new Error(msg);
  console.warn(`${testFile}: report check skipped: ${msg}`);
}

export type ReportPage = {
  page: Page;
  charts: { width: number; height: number; marks: number }[];
  errors: string[];
  requests: string[];
  close(): Promise<void>;
};

export async function openReportPage(file: string): Promise<ReportPage> {
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
    page.on("pageerror", (x) => errors.push(x.message));
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    });
    const requests: string[] = [];
    page.on("request", (q) => {
      if (!q.url().startsWith("file://")) requests.push(q.url());
    });
    await page.goto(`file://${file}`);
    const charts = await page.$$eval("figure > svg", (svgs) =>
      svgs.map((svg) => {
        const box = svg.getBoundingClientRect();
        return {
          width: box.width,
          height: box.height,
          marks: svg.querySelectorAll("path, rect, line, circle").length,
        };
      }),
    );
    return { page, charts, errors, requests, close: () => browser.close() };
  } catch (err) {
    await browser.close();
    throw err;
  }
}
