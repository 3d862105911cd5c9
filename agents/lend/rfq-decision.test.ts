import { describe, expect, it } from "vitest";
import { newSigner, sampleRfq, sessionIdOf } from "../../negotiation/wire/fixtures.ts";
import type { ProtocolState } from "../../protocol-adapters/protocol-state.ts";
import type { AgentPolicy } from "../agent-policy.ts";
import { decideRfq } from "./rfq-decision.ts";

const me = newSigner().address;
const borrower = newSigner().address;
const state = { protocolId: "lender" } as unknown as ProtocolState;
const strategy = { name: "s" } as never;
const terms = { principal: 1n } as never;
/** A policy that lends while less than `cap` is reserved, and records what it was told. */
function policy(cap: bigint, seen: bigint[] = []): AgentPolicy {
  const answer =
    <T>(x: T) =>
    (_s: ProtocolState, _r: unknown, reserved: bigint): T | undefined => {
      seen.push(reserved);
      return reserved < cap ? x : undefined;
    };
  return { lenderStrategy: answer(strategy), sealedBid: answer(terms) } as unknown as AgentPolicy;
}
const sealedRfq = { ...sampleRfq, auction: { mode: "sealed" as const, commitBy: 1, revealBy: 2 } };

describe("decideRfq", () => {
  it("opens a session on an open RFQ and bids on a sealed one, told what is already reserved", () => {
    const seen: bigint[] = [];
    const reserved = { [sessionIdOf("a")]: 3n, [sessionIdOf("b")]: 4n };
    const p = { state, address: me, policy: policy(10n, seen), reserved };
    expect(decideRfq(p, { from: borrower, sessionId: sessionIdOf("c"), rfq: sampleRfq })).toEqual({
      action: "open-session",
      strategy,
    });
    expect(decideRfq(p, { from: borrower, sessionId: sessionIdOf("d"), rfq: sealedRfq })).toEqual({
      action: "sealed-bid",
      terms,
    });
    expect(seen).toEqual([7n, 7n]);
  });

  it("declines its own RFQ, a session id it holds, no state, or what the policy will not lend", () => {
    const held = sessionIdOf("held");
    const p = { state, address: me, policy: policy(10n), reserved: { [held]: 1n } };
    const open = { action: "decline", sealed: false };
    expect(decideRfq(p, { from: me, sessionId: sessionIdOf("x"), rfq: sampleRfq })).toEqual(open);
    expect(decideRfq(p, { from: borrower, sessionId: held, rfq: sampleRfq })).toEqual(open);
    expect(
      decideRfq({ ...p, state: undefined }, { from: borrower, sessionId: sessionIdOf("y"), rfq: sampleRfq }),
    ).toEqual(open);
    const full = { ...p, policy: policy(1n) };
    expect(decideRfq(full, { from: borrower, sessionId: sessionIdOf("z"), rfq: sampleRfq })).toEqual(open);
    expect(decideRfq(full, { from: borrower, sessionId: sessionIdOf("z"), rfq: sealedRfq })).toEqual({
      action: "decline",
      sealed: true,
    });
  });
});
