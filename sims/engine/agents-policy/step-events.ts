/**
 * Turns what the real agents report (agents/agent.ts Activity) into the engine's policy events,
 * exactly as the built-in policy records them: a loan once its borrower settled it (its rounds are
 * the offers both sides made), a "no-deal" once per episode when a borrower's RFQ found no lender.
 * Agents act concurrently within a step; the events of a step are recorded at its end, borrower
 * by borrower in protocol order, as the built-in policy records them.
 */
import type { Address, Hex } from "viem";
import type { Activity } from "../../../agents/agent.ts";
import { type Agreement, type ArbiterDomain, hashAgreement } from "../../../core/agreement.ts";
import type { PolicyEvent } from "../engine-policy.ts";
import { valueUsd8, type World } from "../world.ts";

type Agreed = { borrower: number; agreement: Agreement; borrowerRounds: number };
type Ended = { loan?: Agreed & { id: Hex }; noDeal?: string };

export type StepEvents = {
  /** Every agent's activity goes here (agent index = protocol index). */
  add(protocol: number, a: Activity): void;
  /** Records the step's events in order and starts the next step. */
  flush(p: { world: World; step: number; record: (e: PolicyEvent) => void }): void;
};

export function createStepEvents(domain: ArbiterDomain, addresses: readonly Address[]): StepEvents {
  const indexOf = new Map(addresses.map((a, i) => [a.toLowerCase(), i]));
  const agreed = new Map<Hex, Agreed>();
  const lenderRounds = new Map<Hex, number>();
  let ended = new Map<number, Ended>();
  const noDealShown = new Set<number>();

  return {
    add(protocol, a) {
      if (a.type === "session" && a.side === "borrower") {
        if (a.outcome.status === "agreed")
          agreed.set(hashAgreement(domain, a.outcome.agreement), {
            borrower: protocol,
            agreement: a.outcome.agreement,
            borrowerRounds: a.outcome.rounds,
          });
        else if (a.outcome.status === "failed") ended.set(protocol, { noDeal: "no lender bid" });
      } else if (a.type === "session" && a.side === "lender" && a.outcome.status === "agreed") {
        lenderRounds.set(hashAgreement(domain, a.outcome.agreement), a.outcome.rounds);
      } else if (a.type === "report" && a.what === "settled") {
        const id = a.data.id as Hex;
        const deal = agreed.get(id);
        if (deal) ended.set(protocol, { loan: { ...deal, id } });
      } else if (a.type === "report" && a.what === "settlement failed") {
        // A refusal by the contract's logic under its name, as the built-in policy records it.
        ended.set(protocol, { noDeal: String(a.data.reason ?? a.data.error) });
      }
    },
    flush({ world, step, record }) {
      const order = [...ended.keys()].sort((x, y) => x - y);
      for (const b of order) {
        const e = ended.get(b)!;
        if (e.loan) {
          const a = e.loan.agreement;
          const lender = indexOf.get(a.lender.toLowerCase())!;
          const asset = world.assets.findIndex((x) => x.address === a.principalToken);
          noDealShown.delete(b);
          record({
            type: "loan",
            step,
            lender: world.protocols[lender]!.id,
            borrower: world.protocols[b]!.id,
            asset: world.assets[asset]!.symbol,
            principal: a.principal,
            principalUsd8: valueUsd8(world, asset, a.principal),
            rateBps: a.rateBps,
            rounds: e.loan.borrowerRounds + (lenderRounds.get(e.loan.id) ?? 0),
          });
        } else if (e.noDeal === "no lender bid") {
          if (!noDealShown.has(b))
            record({ type: "no-deal", step, borrower: world.protocols[b]!.id, reason: e.noDeal });
          noDealShown.add(b);
        } else if (e.noDeal) {
          record({ type: "no-deal", step, borrower: world.protocols[b]!.id, reason: e.noDeal });
        }
      }
      ended = new Map();
      agreed.clear();
      lenderRounds.clear();
    },
  };
}
