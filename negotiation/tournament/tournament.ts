/**
 * A NegMAS-style tournament: every strategy meets every strategy in both roles (lender × borrower)
 * on every seeded scenario, each session driven through the real alternating-offers machine.
 * Results per pairing and per strategy: agreement rate, mean utility of each side, mean offers
 * exchanged, and mean distance to the Nash bargaining solution and to the Pareto frontier.
 */
import { analyseOutcomes, nashDistance, paretoDistance, type UtilityPoint } from "./outcome-space.ts";
import { playSession } from "./play-session.ts";
import { ROSTER, STRATEGY_NAMES, type StrategyName } from "./roster.ts";
import { generateScenarios, valuationOf } from "./scenario.ts";

export type TournamentParameters = {
  /** Default: the whole roster. */
  strategies?: readonly StrategyName[];
  scenarios: number;
  /** Most offers per side in a session (each scenario draws its own limit up to it). */
  rounds: number;
  seed: number;
  /** Simulated message latency, ms. Default 50. */
  latencyMs?: number;
  onProgress?: (done: number, total: number) => void;
};

export type Aggregate = {
  sessions: number;
  agreementRate: number;
  /** Mean utility; a session without agreement counts each side's reservation utility. */
  lenderUtility: number;
  borrowerUtility: number;
  /** Mean offers exchanged (both sides together). */
  offers: number;
  nashDistance: number;
  paretoDistance: number;
};

export type PairResult = Aggregate & { lender: StrategyName; borrower: StrategyName };

export type StrategyScore = {
  strategy: StrategyName;
  /** Mean utility over its sessions in both roles. */
  utility: number;
  asLender: number;
  asBorrower: number;
  agreementRate: number;
  nashDistance: number;
  paretoDistance: number;
};

export type TournamentResult = {
  parameters: {
    strategies: StrategyName[];
    scenarios: number;
    rounds: number;
    seed: number;
    latencyMs: number;
  };
  /** Scenarios with a zone of agreement (some outcome both sides accept). */
  feasibleScenarios: number;
  pairs: PairResult[];
  /** Ranked by mean utility, best first. */
  ranking: StrategyScore[];
};

type Sample = { agreed: boolean; u: UtilityPoint; offers: number; nash: number; pareto: number };

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

function aggregate(samples: readonly Sample[]): Aggregate {
  return {
    sessions: samples.length,
    agreementRate: mean(samples.map((s) => (s.agreed ? 1 : 0))),
    lenderUtility: mean(samples.map((s) => s.u.lender)),
    borrowerUtility: mean(samples.map((s) => s.u.borrower)),
    offers: mean(samples.map((s) => s.offers)),
    nashDistance: mean(samples.map((s) => s.nash)),
    paretoDistance: mean(samples.map((s) => s.pareto)),
  };
}

export function runTournament(p: TournamentParameters): TournamentResult {
  const strategies = [...(p.strategies ?? STRATEGY_NAMES)];
  const latencyMs = p.latencyMs ?? 50;
  const scenarios = generateScenarios({ count: p.scenarios, seed: p.seed, rounds: p.rounds, latencyMs });
  const total = scenarios.length * strategies.length ** 2;
  const samples = new Map<string, Sample[]>();
  let done = 0;
  let feasibleScenarios = 0;
  for (const scenario of scenarios) {
    const lenderValuation = valuationOf(scenario, "lender");
    const borrowerValuation = valuationOf(scenario, "borrower");
    const space = analyseOutcomes({
      rfq: scenario.rfq,
      lender: lenderValuation,
      borrower: borrowerValuation,
    });
    if (space.nash) feasibleScenarios++;
    for (const ln of strategies) {
      for (const bn of strategies) {
        // Fresh valuations and strategies per session: strategies keep per-session history.
        const lv = valuationOf(scenario, "lender");
        const bv = valuationOf(scenario, "borrower");
        const played = playSession({
          rfq: scenario.rfq,
          lender: ROSTER[ln]({ valuation: lv, rfq: scenario.rfq, scenario }),
          borrower: ROSTER[bn]({ valuation: bv, rfq: scenario.rfq, scenario }),
          maxRounds: scenario.maxRounds,
          deadlineMs: scenario.deadlineMs,
          latencyMs,
        });
        const u = played.agreed
          ? { lender: lv.utility(played.agreed), borrower: bv.utility(played.agreed) }
          : space.disagreement;
        const key = `${ln}\u0000${bn}`;
        const list = samples.get(key) ?? [];
        list.push({
          agreed: played.agreed !== undefined,
          u,
          offers: played.offers,
          nash: nashDistance(space, u),
          pareto: paretoDistance(space, u),
        });
        samples.set(key, list);
        p.onProgress?.(++done, total);
      }
    }
  }
  const pairs: PairResult[] = [];
  for (const lender of strategies)
    for (const borrower of strategies)
      pairs.push({ lender, borrower, ...aggregate(samples.get(`${lender}\u0000${borrower}`) ?? []) });
  const ranking = strategies
    .map((s): StrategyScore => {
      const asL = pairs.filter((x) => x.lender === s);
      const asB = pairs.filter((x) => x.borrower === s);
      const all = [...asL, ...asB];
      const asLender = mean(asL.map((x) => x.lenderUtility));
      const asBorrower = mean(asB.map((x) => x.borrowerUtility));
      return {
        strategy: s,
        utility: (asLender + asBorrower) / 2,
        asLender,
        asBorrower,
        agreementRate: mean(all.map((x) => x.agreementRate)),
        nashDistance: mean(all.map((x) => x.nashDistance)),
        paretoDistance: mean(all.map((x) => x.paretoDistance)),
      };
    })
    .sort((a, b) => b.utility - a.utility || a.strategy.localeCompare(b.strategy));
  return {
    parameters: { strategies, scenarios: p.scenarios, rounds: p.rounds, seed: p.seed, latencyMs },
    feasibleScenarios,
    pairs,
    ranking,
  };
}
