/**
 * For tests: a small engine run of a scenario family's seed (optionally cut at an hour), with what
 * each protocol's adapter reported at the end of every step (its ProtocolState and its book for the
 * contagion model) and the dataset observer's features for the same steps. Replay adapters serve a
 * recorded run to real agents, one step per snapshot, as if an hour passed between assessments.
 */
import type { BookObservation } from "../../../protocol-adapters/book-observation.ts";
import type { ProtocolAdapter } from "../../../protocol-adapters/protocol-adapter.ts";
import type { ProtocolKind, ProtocolState } from "../../../protocol-adapters/protocol-state.ts";
import { createProtocolObserver, type Observations } from "../../dataset/observe-protocols.ts";
import { findFamily } from "../../scenarios/families/catalogue.ts";
import { sampleFamilyJson } from "../../scenarios/families/sample-family.ts";
import { parseScenario } from "../../scenarios/load-scenario.ts";
import { createEngineAdapter } from "../engine-adapter.ts";
import { createEngineBooks } from "../engine-books.ts";
import { runEngine } from "../run-engine.ts";

export type RecordedRun = {
  ids: string[];
  kinds: ProtocolKind[];
  steps: number;
  stepHours: number;
  /** seen[t][p]: protocol p's adapter at the end of step t. */
  seen: { state: ProtocolState; book: BookObservation }[][];
  dataset: Observations;
};

export async function recordRun(p: {
  family: string;
  seed: number;
  cutHours?: number | undefined;
  engine?: { positionsPerLending: number; tradersPerSide: number };
}): Promise<RecordedRun> {
  const family = findFamily(p.family);
  if (family.kind !== "parametric") throw new Error("expected a parametric family");
  const json = sampleFamilyJson(family.spec, p.seed);
  const cut = p.cutHours;
  const scenario = parseScenario(
    cut === undefined
      ? json
      : {
          ...json,
          time: { ...json.time, horizonHours: cut },
          shocks: (json.shocks ?? []).filter((s) => s.atHours <= cut),
        },
  );
  const steps = Math.round(scenario.time.horizonHours / scenario.time.stepHours);
  const observer = createProtocolObserver(steps);
  // The engine adapter reads synchronously: each promise holds the state of the moment it was asked.
  const pending: Promise<{ state: ProtocolState; book: BookObservation }>[][] = [];
  let ids: string[] = [];
  let kinds: ProtocolKind[] = [];
  let books: ReturnType<typeof createEngineBooks> | undefined;
  let adapters: ProtocolAdapter[] = [];
  await runEngine({
    scenario,
    seed: p.seed,
    options: p.engine ?? { positionsPerLending: 40, tradersPerSide: 8 },
    onObserve: (o) => {
      observer.observe(o);
      if (!books) {
        books = createEngineBooks(o.world);
        adapters = o.world.protocols.map((_, i) => createEngineAdapter(o.world, i, books));
        ids = o.world.protocols.map((x) => x.id);
        kinds = o.world.protocols.map((x) => x.kind);
      }
      books.observe(o);
      pending.push(
        adapters.map(async (a) => {
          const [state, book] = await Promise.all([a.snapshot(), a.book!()]);
          return { state, book };
        }),
      );
    },
  });
  const seen = await Promise.all(pending.map((step) => Promise.all(step)));
  return { ids, kinds, steps, stepHours: scenario.time.stepHours, seen, dataset: observer.finish() };
}

/** Protocol p of a recorded run as an adapter: each snapshot() moves one step on (staying at the
 *  last, or at `stopAt`), book() reports the same step. De-risking is recorded, not applied. */
export function replayAdapter(
  run: RecordedRun,
  p: number,
  opts: { from?: number; stopAt?: number } = {},
): ProtocolAdapter & { readonly step: number; stances: number[] } {
  const last = Math.min(run.steps, opts.stopAt ?? run.steps);
  let step = (opts.from ?? 0) - 1;
  const stances: number[] = [];
  const at = () => run.seen[Math.max(0, step)]![p]!;
  return {
    protocolId: run.ids[p]!,
    kind: run.seen[0]![p]!.state.kind,
    get step() {
      return step;
    },
    stances,
    snapshot: async () => {
      step = Math.min(last, step + 1);
      return at().state;
    },
    book: async () => at().book,
    apply: async () => {},
    derisk: async (s) => {
      stances.push(s.level);
    },
  };
}
