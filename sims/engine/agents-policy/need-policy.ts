/**
 * A simulated protocol's AgentPolicy as its real agent runs it: the shared policy, except that a
 * borrower asks for what loan-request.ts computes from the engine (the need the built-in policy
 * sees, its size and tenor), and a halted protocol neither borrows nor lends, as in the built-in
 * policy. The step in force is read through `now()`: the agents policy sets it every step.
 */
import type { AgentPolicy } from "../../../agents/agent-policy.ts";
import type { World } from "../world.ts";
import { type LoanRequestParameters, loanRequest } from "./loan-request.ts";

export type StepView = { world: World; halted: readonly boolean[] };

export function needPolicy(
  inner: AgentPolicy,
  protocol: number,
  now: () => StepView | undefined,
  o: LoanRequestParameters,
): AgentPolicy {
  const active = () => {
    const v = now();
    return v && !v.halted[protocol] ? v : undefined;
  };
  return {
    borrowRequest(state) {
      const v = active();
      return v ? loanRequest(v.world, protocol, state, inner, o) : undefined;
    },
    borrowerStrategy: (state, rfq) => inner.borrowerStrategy(state, rfq),
    lenderStrategy: (state, rfq, reserved) =>
      active() ? inner.lenderStrategy(state, rfq, reserved) : undefined,
    ...(inner.sealedBid
      ? {
          sealedBid: (state, rfq, reserved) =>
            active() ? inner.sealedBid?.(state, rfq, reserved) : undefined,
        }
      : {}),
    canRepay: (state, loan) => inner.canRepay(state, loan),
    scoreOffer: (terms) => inner.scoreOffer(terms),
  };
}
