/**
 * Prices: for each asset, the scenario's price path across seeds (band), the real window as it
 * happened (scenarios with real data), and the market price in the simulated venues after the
 * sales' impact per mode. Assets that never move are named instead of drawn.
 */
import { priceSpec } from "../charts/price-chart.ts";
import { esc } from "../html.ts";
import type { StudyView } from "../study-view.ts";
import { note, panelOf, type Section, type SectionContext, sweepPanels } from "./section.ts";

/** What the price-path mode means for the intervals, in one paragraph. */
export function pricePathsText(view: StudyView): string {
  const mode = view.study.scenario.pricePaths;
  const window = view.detail?.realWindow;
  const w = window ? ` (<code>${esc(window)}</code>)` : "";
  if (mode === "replay")
    return `<strong>Replay:</strong> every seed replays the real window${w} as it happened. Intervals over seeds measure borrower books and auctions only, not how the crisis could have gone; use <code>--paths bootstrap</code> or <code>fitted</code> for price risk.`;
  if (mode === "bootstrap")
    return `<strong>Bootstrap:</strong> each seed draws its price path from the real window${w} by a stationary block bootstrap of its hourly moves (blocks of 12 hours on average, all assets together), so intervals over seeds include price risk; the real window is one typical member.`;
  if (mode === "fitted")
    return `<strong>Fitted:</strong> each seed draws its price path from GARCH(1,1)-t and peg models fitted to the real window${w} and to 2019-2022 hourly data, so intervals over seeds include price risk.`;
  return "Prices follow the scenario's own paths (scripted, constant or stochastic): no real market window is involved.";
}

const usdPrice = (x: number) => `$${x.toFixed(x >= 100 ? 0 : 4)}`;

/** Within 0.01% of `at` everywhere: a line no chart would show moving. */
const flat = (xs: readonly number[], at: number) => xs.every((x) => Math.abs(x - at) <= 1e-4 * Math.abs(at));

export async function pricesSection({ view, charts }: SectionContext): Promise<Section | undefined> {
  const detail = view.detail;
  if (!detail) return undefined;
  const figures: string[] = [];
  const constant: string[] = [];
  for (const asset of detail.prices) {
    const market = detail.groups.map((g) => ({
      mode: g.mode as string,
      band: g.marketPrices[asset.symbol]!,
      panel: panelOf(g.sweep),
    }));
    const start = asset.path?.median[0] ?? market[0]?.band.median[0] ?? 0;
    // The chart draws the path's band and the market's medians: when none of them moves, say
    // so in words instead, with how far the market's tail strayed (if it did).
    const still =
      (!asset.path || (flat(asset.path.lo, start) && flat(asset.path.hi, start))) &&
      market.every((m) => flat(m.band.median, start));
    if (still) {
      const low = Math.min(...market.flatMap((m) => m.band.lo));
      const high = Math.max(...market.flatMap((m) => m.band.hi));
      const tail = [
        ...(low < start * (1 - 1e-4) ? [`down to ${usdPrice(low)}`] : []),
        ...(high > start * (1 + 1e-4) ? [`up to ${usdPrice(high)}`] : []),
      ];
      constant.push(
        `${esc(asset.symbol)} at ${esc(usdPrice(start))}${
          tail.length > 0
            ? ` (its market price's 5th-95th percentile over seeds went ${esc(tail.join(" and "))} at some hour)`
            : ""
        }`,
      );
      continue;
    }
    figures.push(
      await charts.figure({
        name: `price ${asset.symbol}`,
        spec: priceSpec({
          symbol: asset.symbol,
          hours: detail.hours,
          path: asset.path,
          real: asset.real,
          market,
          seeds: Math.max(...detail.groups.map((g) => g.seeds.length)),
          panels: sweepPanels(view),
        }),
      }),
    );
  }
  return {
    id: "prices",
    title: "Prices",
    html: `<p class="lead">${pricePathsText(view)} The price path is the outside market before the simulated sales; the market lines are prices in the simulated venues after liquidations and fire sales (median over seeds).</p><div class="grid">${figures.join("")}</div>${
      constant.length > 0
        ? note(
            `Not drawn, flat (within 0.01%) in its path and in every mode's median: ${constant.join("; ")}.`,
          )
        : ""
    }`,
  };
}
