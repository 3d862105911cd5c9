/**
 * Render a Vega-Lite spec to a self-contained SVG string, in Node, offline.
 *
 * Reports (the models' eval report, the simulator's report) embed these strings in their HTML,
 * so a page needs no script, no network and no canvas: Vega's headless "none" renderer builds the
 * scenegraph and serialises it as SVG. Data must be inline (`data.values`); a spec that names a
 * URL is refused instead of fetched, so a report can never reach the network at render time.
 */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { BaseError } from "../errors.ts";

export type VegaLiteSpec = TopLevelSpec;

export type RenderVegaLiteToSvgParameters = {
  spec: VegaLiteSpec;
  /** Name used in errors, e.g. "ROC curve". */
  name?: string;
  /** Receives Vega-Lite's and Vega's warnings (a spec that compiles with a conflict, a scale
   *  that cannot be honoured) instead of the console; absent, they go to the console as before. */
  onWarning?: ((message: string) => void) | undefined;
};

export class ChartRenderError extends BaseError {
  override name = "ChartRenderError";
  override readonly code = "ChartRenderError";
  constructor({ chart, cause }: { chart: string; cause: unknown }) {
    super(`Chart "${chart}" could not be rendered to SVG.`, {
      cause,
      details: cause instanceof Error ? cause.message : String(cause),
      metaMessages: [
        "Check the Vega-Lite spec (https://vega.github.io/vega-lite/docs/); data must be inline (data.values).",
      ],
    });
  }
}

/** A Vega loader that refuses every URL or file: charts render from inline data only. */
const offlineLoader = {
  load: async (uri: string) => {
    throw new Error(`refusing to load "${uri}": charts render offline from inline data (data.values)`);
  },
  sanitize: async (uri: string) => {
    throw new Error(`refusing to load "${uri}": charts render offline from inline data (data.values)`);
  },
  http: async (uri: string) => {
    throw new Error(`refusing to fetch "${uri}"`);
  },
  file: async (path: string) => {
    throw new Error(`refusing to read "${path}"`);
  },
};

export async function renderVegaLiteToSvg({
  spec,
  name,
  onWarning,
}: RenderVegaLiteToSvgParameters): Promise<string> {
  const chart = name ?? (typeof spec.title === "string" ? spec.title : "untitled");
  const logger = onWarning
    ? vega.logger(vega.Warn, undefined, (_method, _level, input) =>
        onWarning(input.map((x) => (x instanceof Error ? x.message : String(x))).join(" ")),
      )
    : undefined;
  let view: vega.View | undefined;
  try {
    const compiled = (logger ? compile(spec, { logger }) : compile(spec)).spec;
    // Vega logs a failed load and renders an empty chart; refuse URLs up front instead.
    const remote = (compiled.data ?? []).find((d) => "url" in d && d.url !== undefined);
    if (remote)
      throw new Error(`refusing data.url "${String((remote as { url: unknown }).url)}": inline the data`);
    view = new vega.View(vega.parse(compiled), {
      renderer: "none",
      loader: offlineLoader as unknown as vega.Loader,
      logLevel: vega.Error,
      ...(logger ? { logger } : {}),
    });
    return await view.toSVG();
  } catch (cause) {
    throw new ChartRenderError({ chart, cause });
  } finally {
    view?.finalize();
  }
}
