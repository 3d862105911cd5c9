/**
 * Run-time access to the shipped market data (sims/market-data/slices and fitted): parsed once
 * per process and validated with zod, so a hand-edited file fails with the field that is wrong.
 * Runtime code reads only these files, never ../shared.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { SAMPLE_IDS, sampleSpec, WINDOW_IDS, windowSpec } from "./catalogue.ts";
import { MarketDataError, UnknownMarketSeriesError } from "./errors.ts";
import {
  type GarchFile,
  GarchFileSchema,
  type SampleFit,
  type SamplesFile,
  SamplesFileSchema,
} from "./fitted-files.ts";
import { buildMarketSample, type MarketSample } from "./market-sample.ts";
import { parseSliceCsv, type SliceTable } from "./slice-format.ts";

const dir = (sub: string) => fileURLToPath(new URL(`./${sub}/`, import.meta.url));
export const SLICES_DIR = dir("slices");
export const FITTED_DIR = dir("fitted");

const cache = new Map<string, unknown>();
function once<T>(key: string, load: () => T): T {
  if (!cache.has(key)) cache.set(key, load());
  return cache.get(key) as T;
}

function readJson<T>(path: string, schema: z.ZodType): T {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new MarketDataError({ problem: `${path}: cannot read (${(cause as Error).message})`, cause });
  }
  const r = schema.safeParse(json);
  if (!r.success)
    throw new MarketDataError({
      problem: `${path}: ${z.prettifyError(r.error)}`,
      hint: "Rebuild it with npm run data:slices -- --data ../shared/data/market.",
    });
  return json as T;
}

export function loadWindowSlice(id: string): SliceTable {
  if (!windowSpec(id))
    throw new UnknownMarketSeriesError({ what: "market window", name: id, available: WINDOW_IDS });
  return once(`slice:${id}`, () => {
    const path = `${SLICES_DIR}${id}.csv`;
    let text: string;
    try {
      text = readFileSync(path, "utf8");
    } catch (cause) {
      throw new MarketDataError({ problem: `${path}: cannot read (${(cause as Error).message})`, cause });
    }
    return parseSliceCsv(text, path);
  });
}

export const loadGarchFile = (): GarchFile =>
  once("garch", () => readJson<GarchFile>(`${FITTED_DIR}garch-t.json`, GarchFileSchema));

export const loadSamplesFile = (): SamplesFile =>
  once("samples", () => readJson<SamplesFile>(`${FITTED_DIR}samples.json`, SamplesFileSchema));

export function loadSampleFit(id: string): SampleFit {
  const fit = loadSamplesFile().samples[id];
  if (!fit || !sampleSpec(id))
    throw new UnknownMarketSeriesError({ what: "market sample", name: id, available: SAMPLE_IDS });
  return fit;
}

/** The innovations of `series` over a sample's windows, with the committed AR(1) coefficients. */
export function loadMarketSample(id: string, series: readonly string[]): MarketSample {
  return once(`sample:${id}:${series.join("|")}`, () => {
    const fit = loadSampleFit(id);
    const specs = series.map((s) => {
      const f = fit.series[s];
      if (!f)
        throw new UnknownMarketSeriesError({ what: `series of sample ${id}`, name: s, available: fit.order });
      return f;
    });
    return buildMarketSample({
      windows: fit.windows.map((w) => ({ id: w, table: loadWindowSlice(w) })),
      series,
      kinds: specs.map((f) => f.kind),
      phi: specs.map((f) => (f.kind === "price" ? Number.NaN : f.phi)),
    });
  });
}
