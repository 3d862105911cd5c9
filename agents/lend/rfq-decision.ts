/**
 * A lender's pure decision on an RFQ (the agent machine's `considerRfq`): lend if the policy offers
 * a strategy, or for a sealed RFQ a sealed bid, given what open sessions already reserved. A sealed
 * auction is answered with a sealed bid or not at all: an open offer would reveal our price to a
 * borrower that promised lenders secrecy. We never answer our own RFQ, nor one whose session id we
 * already hold.
 */
import type { Address, Hex } from "viem";
import { sealedAuctionOf } from "../../negotiation/protocols/sealed-bid-messages.ts";
import type { Strategy, Terms } from "../../negotiation/strategies/strategy.ts";
import type { RfqBody } from "../../negotiation/wire/schemas.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import type { AgentPolicy } from "../agent-policy.ts";

export type RfqDecision =
  | { action: "decline"; sealed: boolean }
  | { action: "sealed-bid"; terms: Terms }
  | { action: "open-session"; strategy: Strategy };

export type RfqSeen = { from: Address; sessionId: Hex; rfq: RfqBody };

export function decideRfq(
  p: {
    state: ProtocolState | undefined;
    address: Address;
    policy: AgentPolicy;
    /** Principal promised in open lender sessions and unsettled agreements, by session id. */
    reserved: Record<Hex, bigint>;
  },
  seen: RfqSeen,
): RfqDecision {
  const s = p.state;
  const eligible = s !== undefined && seen.from !== p.address && p.reserved[seen.sessionId] === undefined;
  const reserved = Object.values(p.reserved).reduce((a, b) => a + b, 0n);
  if (sealedAuctionOf(seen.rfq)) {
    const terms = eligible ? p.policy.sealedBid?.(s, seen.rfq, reserved) : undefined;
    return terms ? { action: "sealed-bid", terms } : { action: "decline", sealed: true };
  }
  const strategy = eligible ? p.policy.lenderStrategy(s, seen.rfq, reserved) : undefined;
  return strategy ? { action: "open-session", strategy } : { action: "decline", sealed: false };
}
