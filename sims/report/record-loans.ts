/**
 * Loan lifecycles as the arbitration contract saw them: a settlement backend that passes every
 * call through and listens to each run's Settled / Repaid / DefaultClaimed / Liquidated / ToppedUp
 * events (the contract's
 * own, on the chain or the ledger), noting when each loan opened, when it was due and how it
 * ended. The report draws loan timelines and the loans still outstanding at the horizon from
 * this, without reaching into the engine's loan book.
 */
import type { Hex } from "viem";
import { valueUsd8 } from "../engine/world.ts";
import type { SettlementBackend } from "../settlement/settlement-backend.ts";

/** "liquidated": a margined loan whose debt liquidations repaid in full. */
export type LoanOutcome = "repaid" | "liquidated" | "defaulted" | "outstanding";

export type LoanRecord = {
  lender: string;
  borrower: string;
  asset: string;
  /** Principal in USD at the settlement step's price. */
  principalUsd: number;
  rateBps: number;
  settledHour: number;
  /** Maturity on the run's clock (hours from its start). */
  maturityHour: number;
  /** When it was repaid in full, liquidated in full or its default claimed; null while outstanding. */
  closedHour: number | null;
  outcome: LoanOutcome;
  /** It carried a liquidation threshold (a negotiated margin). */
  margined: boolean;
  /** Liquidations it went through (partial ones included). */
  liquidations: number;
  /** Its borrower added collateral at least once. */
  toppedUp: boolean;
};

export type RecordLoansReturnType = {
  /** The backend to run the study on (same behaviour; it does not close the one it wraps). */
  backend: SettlementBackend;
  /** The loans of the run that finished last (once per run; undefined before any run). */
  takeRun(): LoanRecord[] | undefined;
};

export function recordLoans(inner: SettlementBackend): RecordLoansReturnType {
  let current: LoanRecord[] | undefined;
  const backend: SettlementBackend = {
    kind: inner.kind,
    tokens: (assets) => inner.tokens(assets),
    stats: () => inner.stats(),
    chain: () => inner.chain(),
    close: () => inner.close(),
    openRun: async (p) => {
      const run = await inner.openRun(p);
      const world = p.world;
      const loans: LoanRecord[] = [];
      current = loans;
      const byId = new Map<Hex, LoanRecord>();
      const protocolOf = new Map(world.protocols.map((x) => [x.address.toLowerCase(), x.id]));
      const assetOf = new Map(world.assets.map((x, i) => [x.address.toLowerCase(), i]));
      const hourNow = () => world.step * world.stepHours;
      const stop = run.onEvent((e) => {
        if (e.type === "Settled") {
          const a = e.agreement;
          const asset = assetOf.get(a.principalToken.toLowerCase());
          const loan: LoanRecord = {
            lender: protocolOf.get(a.lender.toLowerCase()) ?? a.lender,
            borrower: protocolOf.get(a.borrower.toLowerCase()) ?? a.borrower,
            asset: asset === undefined ? a.principalToken : world.assets[asset]!.symbol,
            principalUsd:
              asset === undefined ? Number.NaN : Number(valueUsd8(world, asset, a.principal)) / 1e8,
            rateBps: a.rateBps,
            settledHour: hourNow(),
            maturityHour: Number(e.maturity - world.startTime) / 3600,
            closedHour: null,
            outcome: "outstanding",
            margined: (a.liquidationThresholdBps ?? 0) > 0,
            liquidations: 0,
            toppedUp: false,
          };
          byId.set(e.id, loan);
          loans.push(loan);
          return;
        }
        const loan = byId.get(e.id);
        if (!loan || loan.closedHour !== null) return;
        if (e.type === "Repaid" && e.outstanding === 0n) {
          loan.closedHour = hourNow();
          loan.outcome = "repaid";
        } else if (e.type === "Liquidated") {
          loan.liquidations++;
          if (e.outstanding === 0n) {
            loan.closedHour = hourNow();
            loan.outcome = "liquidated";
          }
        } else if (e.type === "ToppedUp") {
          loan.toppedUp = true;
        } else if (e.type === "DefaultClaimed") {
          loan.closedHour = hourNow();
          loan.outcome = "defaulted";
        }
      });
      return {
        domain: run.domain,
        port: (i) => run.port(i),
        postAlert: (alert) => run.postAlert(alert),
        onEvent: (listener) => run.onEvent(listener),
        close: async () => {
          stop();
          await run.close();
        },
      };
    },
  };
  return {
    backend,
    takeRun: () => {
      const loans = current;
      current = undefined;
      return loans;
    },
  };
}
