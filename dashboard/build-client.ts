/**
 * The page's files: index.html, and app.js and app.css bundled by esbuild from dashboard/client/
 * (uPlot and Tabulator included) when the server starts, in memory (about a tenth of a second). A
 * built package carries them prebuilt beside this module (client/app.js), and uses those.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export type ClientAssets = { files: Map<string, { type: string; body: Buffer | string }> };

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles the page with esbuild into `outdir` (written) or memory. */
export async function bundleClient(outdir?: string): Promise<Map<string, string>> {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: { app: join(here, "client", "main.ts") },
    bundle: true,
    format: "esm",
    target: "es2022",
    minify: true,
    sourcemap: false,
    outdir: outdir ?? join(here, "client-out"),
    write: outdir !== undefined,
    logLevel: "silent",
  });
  const files = new Map<string, string>();
  for (const f of result.outputFiles ?? []) files.set(`/${f.path.split("/").at(-1)}`, f.text);
  return files;
}

export async function buildClient(): Promise<ClientAssets> {
  const html = readFileSync(join(here, "client", "index.html"), "utf8");
  const files = new Map<string, { type: string; body: Buffer | string }>();
  files.set("/index.html", { type: "text/html; charset=utf-8", body: html });
  const prebuilt = join(here, "client", "app.js");
  const bundle = existsSync(prebuilt)
    ? new Map([
        ["/app.js", readFileSync(prebuilt, "utf8")],
        ["/app.css", readFileSync(join(here, "client", "app.css"), "utf8")],
      ])
    : await bundleClient();
  for (const [path, body] of bundle) {
    files.set(path, { type: path.endsWith(".css") ? "text/css" : "text/javascript", body });
  }
  return { files };
}
