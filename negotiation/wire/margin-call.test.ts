/**
 * The margin call on the wire (docs/PROTOCOL.md §11), between two real endpoints over the in-process
 * bus with real signatures: a lender's call reaches the borrower typed; a call whose session is not
 * its loan, one that asks for no improvement, a forged one and a replayed one are each refused with
 * their typed error and a log line, and reach no handler.
 */
import { keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { createMemoryLogger } from "../../core/log.ts";
import { createEndpoint } from "../endpoint.ts";
import { createPeerRegistry } from "../peers.ts";
import { createInProcessBus } from "../transport/in-process.ts";
import { encodeMessage } from "./encode-message.ts";
import { newSigner, sampleMarginCall, signRaw, testDomain } from "./fixtures.ts";
import type { SessionMessage } from "./schemas.ts";
import { inboxSubject } from "./subjects.ts";

async function pair() {
  const bus = createInProcessBus();
  const lender = newSigner();
  const borrower = newSigner();
  const peers = createPeerRegistry([
    { address: lender.address, name: "L", protocol: "lending" },
    { address: borrower.address, name: "B", protocol: "vault" },
  ]);
  const log = createMemoryLogger("warn");
  const raw = bus.createTransport({ name: "raw" });
  const lenderEp = createEndpoint({
    transport: bus.createTransport(),
    signer: lender,
    domain: testDomain,
    peers,
  });
  const borrowerEp = createEndpoint({
    transport: bus.createTransport(),
    signer: borrower,
    domain: testDomain,
    peers,
    log,
  });
  const got: SessionMessage[] = [];
  borrowerEp.onMessage((m) => void got.push(m));
  await bus.flush();
  const inject = async (bytes: Uint8Array | string) => {
    raw.publish(inboxSubject(borrower.address), typeof bytes === "string" ? Buffer.from(bytes) : bytes);
    await bus.flush();
  };
  return { bus, lender, borrower, lenderEp, borrowerEp, got, log, inject };
}

const loanId = keccak256(toHex("a margined loan"));

describe("margin.call on the wire", () => {
  it("reaches the borrower typed, in the loan's session", async () => {
    const w = await pair();
    const sent = await w.lenderEp.send(w.borrower.address, loanId, "margin.call", sampleMarginCall(loanId));
    await w.bus.flush();
    expect(w.got).toHaveLength(1);
    const m = w.got[0]!;
    expect(m.kind).toBe("margin.call");
    if (m.kind !== "margin.call") throw new Error("unreachable");
    expect(m.sessionId).toBe(loanId);
    expect(m.body).toEqual(sampleMarginCall(loanId));
    expect(typeof m.body.amount).toBe("bigint");
    expect(sent.message.seq).toBe(0);
  });

  it("refuses bad calls with a typed error and a log line, and hands none on", async () => {
    const w = await pair();
    const envelope = (sessionId: string, body: unknown, seq = 1) => ({
      v: 0,
      kind: "margin.call",
      sessionId,
      seq,
      from: w.lender.address,
      to: w.borrower.address,
      expiry: Date.now() + 20_000,
      nonce: keccak256(toHex(`nonce ${seq} ${sessionId}`)),
      body,
    });
    const json = (b: ReturnType<typeof sampleMarginCall>) =>
      JSON.parse(JSON.stringify(b, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
    // About another loan than its session.
    await w.inject(signRaw(envelope(keccak256(toHex("other")), json(sampleMarginCall(loanId))), w.lender));
    // Asking for no improvement: target at or below the health read.
    const flat = { ...json(sampleMarginCall(loanId)), targetHealth: "1030000000000000000" };
    await w.inject(signRaw(envelope(loanId, flat, 2), w.lender));
    // Signed by someone else than its `from`.
    await w.inject(signRaw(envelope(loanId, json(sampleMarginCall(loanId)), 3), newSigner()));
    expect(w.got).toHaveLength(0);
    expect(w.borrowerEp.stats().rejectedByCode).toEqual({
      InconsistentMarginCall: 1,
      SchemaViolation: 1,
      BadSignature: 1,
    });
    const lines = w.log.lines.filter((l) => l.msg === "negotiation message rejected");
    expect(lines.map((l) => l.code)).toEqual(["InconsistentMarginCall", "SchemaViolation", "BadSignature"]);

    // A real one, then the same bytes again: accepted once, the copy refused as a replay.
    const real = encodeMessage({
      domain: testDomain,
      signer: w.lender,
      kind: "margin.call",
      sessionId: loanId,
      seq: 4,
      to: w.borrower.address,
      expiry: Date.now() + 20_000,
      body: sampleMarginCall(loanId),
    });
    await w.inject(real.bytes);
    await w.inject(real.bytes);
    expect(w.got).toHaveLength(1);
    expect(w.borrowerEp.stats().rejectedByCode.Replay).toBe(1);
  });
});
