import type { Address, Hex } from "viem";
import { describe, expect, it } from "vitest";
import { encodeMessage } from "../negotiation/wire/encode-message.ts";
import { newSigner, sampleBody, sampleRfq, sessionIdOf, testDomain } from "../negotiation/wire/fixtures.ts";
import type { BodyOf, MessageKind } from "../negotiation/wire/schemas.ts";
import { DashboardState } from "./dashboard-state.ts";
import type { WireInput } from "./inputs.ts";
import { observeWire } from "./observe-wire.ts";

const borrower = newSigner();
const lender = newSigner();
const sessionId = sessionIdOf("dashboard");

function wire<K extends MessageKind>(
  kind: K,
  from = lender,
  seq = 0,
  body?: BodyOf<K>,
  to?: Address,
): WireInput {
  const sender = from;
  const peer = sender === lender ? borrower.address : lender.address;
  const { bytes } = encodeMessage({
    domain: testDomain,
    signer: sender,
    kind,
    sessionId,
    seq,
    expiry: Date.now() + 30_000,
    body: body ?? sampleBody(kind, { sessionId, sender, peer }),
    ...(kind === "rfq" ? {} : { to: to ?? peer }),
  });
  const input = observeWire(bytes, testDomain);
  if (!input) throw new Error("refused");
  return input;
}

describe("observeWire", () => {
  it("keeps a valid message's routing and figures, signature checked", () => {
    const rfq = wire("rfq", borrower, 0, sampleRfq);
    expect(rfq).toMatchObject({ kind: "rfq", from: borrower.address, verified: true, seq: 0 });
    expect(rfq.rfq).toMatchObject({ principal: sampleRfq.principal.toString(), sealed: false });
    expect(wire("offer").terms?.rateBps).toBeGreaterThan(0);
    expect(wire("reject").reason).toBe("rate too high");
  });

  it("refuses junk, and a message whose signature is not its sender's", () => {
    expect(observeWire(new TextEncoder().encode("{nope"), testDomain)).toBeUndefined();
    const { bytes } = encodeMessage({
      domain: testDomain,
      signer: lender,
      kind: "reject",
      sessionId,
      seq: 0,
      to: borrower.address,
      expiry: Date.now() + 30_000,
      body: { reason: "x" },
    });
    const forged = JSON.parse(new TextDecoder().decode(bytes));
    forged.from = borrower.address;
    expect(observeWire(new TextEncoder().encode(JSON.stringify(forged)), testDomain)).toBeUndefined();
    // Without a domain the dashboard cannot check signatures, and says so.
    expect(observeWire(bytes, undefined)?.verified).toBeUndefined();
  });
});

describe("DashboardState", () => {
  it("follows a negotiation from RFQ to settled loan, patching only what changed", () => {
    const s = new DashboardState({ trace: true });
    s.apply(wire("rfq", borrower, 0, sampleRfq), 1_000);
    s.apply(wire("offer", lender, 0), 1_010);
    let p = s.patch(1_020, "live");
    expect(p.negotiations).toHaveLength(1);
    expect(p.negotiations[0]).toMatchObject({
      id: sessionId,
      borrower: borrower.address,
      offers: 1,
      status: "open",
    });
    expect(p.negotiations[0]!.lenders).toEqual([lender.address]);
    expect(p.metrics.openNegotiations).toBe(1);
    expect(p.trace).toHaveLength(2);
    expect(p.ticker.map((t) => t.kind)).toEqual(["offer", "rfq"]);

    s.apply(wire("accept", lender, 1), 1_030);
    s.apply(wire("confirm", borrower, 1), 1_040);
    p = s.patch(1_050, "live");
    expect(p.negotiations[0]!.status).toBe("agreed");
    expect(p.agents.map((a) => a.health)).toEqual(["seen", "seen"]);

    expect(s.patch(1_060, "live").negotiations).toEqual([]);
    s.apply(
      {
        type: "loan",
        event: "Settled",
        id: `0x${"01".repeat(32)}` as Hex,
        txHash: `0x${"02".repeat(32)}` as Hex,
        blockNumber: "5",
        agreement: {
          sessionId,
          lender: lender.address,
          borrower: borrower.address,
          principalToken: sampleRfq.principalToken,
          principal: "1000",
          collateralToken: sampleRfq.collateralToken,
          collateral: "5",
          rateBps: 500,
          tenor: 86_400,
        },
        maturity: "100",
        amountDue: "1001",
      },
      1_070,
    );
    p = s.patch(1_080, "live");
    expect(p.negotiations[0]!.status).toBe("settled");
    expect(p.loans[0]).toMatchObject({ status: "Active", outstanding: "1001" });
    expect(p.metrics).toMatchObject({ activeLoans: 1, openNegotiations: 0 });
    s.apply(
      {
        type: "loan",
        event: "Repaid",
        id: p.loans[0]!.id as Hex,
        txHash: "0x03",
        blockNumber: "6",
        outstanding: "0",
      },
      1_090,
    );
    expect(s.patch(1_100, "live").loans[0]!.status).toBe("Repaid");
    expect(s.snapshot(1_110, "live").loans).toHaveLength(1);
  });

  it("drops ended negotiations past its limit and open ones gone silent", () => {
    const s = new DashboardState({ keepEnded: 1, staleMs: 1_000 });
    s.apply(wire("rfq", borrower, 0, sampleRfq), 0);
    expect(s.patch(500, "live").removedNegotiations).toEqual([]);
    expect(s.patch(2_000, "live").removedNegotiations).toEqual([sessionId]);
    expect(s.snapshot(2_000, "live").negotiations).toEqual([]);
  });

  it("gathers the risk loop's views: snapshots, proposals and their votes", () => {
    const s = new DashboardState();
    expect(s.patch(0, "live").risk).toBeNull();
    s.apply(
      {
        type: "risk.snapshot",
        agent: lender.address,
        protocolId: "a",
        at: 1,
        contagion: [{ horizonHours: 24, probability: 0.2 }],
      },
      1,
    );
    s.apply({ type: "risk.vote", proposalId: "p", voter: lender.address, approve: true, at: 1 }, 1);
    s.apply({ type: "risk.proposal", proposalId: "p", proposer: borrower.address, level: 2, at: 1 }, 1);
    s.apply({ type: "risk.vote", proposalId: "p", voter: lender.address, approve: false, at: 2 }, 2);
    s.apply({ type: "risk.vote", proposalId: "p", voter: lender.address, approve: true, at: 3 }, 3);
    const risk = s.patch(4, "live").risk!;
    expect(risk.snapshots).toHaveLength(1);
    expect(risk.proposals[0]!.votes.map((v) => v.approve)).toEqual([true]);
  });
});
