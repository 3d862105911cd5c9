import { describe, expect, it } from "vitest";
import { signRiskAlert } from "../../arbitration/typed-data.ts";
import { createPeerRegistry } from "../peers.ts";
import { testDomain as domain, newSigner } from "../wire/fixtures.ts";
import { createReplayCache } from "../wire/replay-cache.ts";
import { decodeRiskMessage, encodeRiskMessage } from "./risk-codec.ts";
import {
  sampleEstimate,
  sampleProposal,
  sampleSnapshotBody,
  sampleSnapshotWithBook,
} from "./risk-fixtures.ts";
import { RISK_SNAPSHOT_SESSION } from "./risk-subjects.ts";

const alice = newSigner();
const bob = newSigner();
const mallory = newSigner();
const me = newSigner();
const peers = createPeerRegistry([
  { address: alice.address, name: "a", protocol: "lending" },
  { address: bob.address, name: "b", protocol: "perp" },
]);
const now = 1_700_000_000_000;
const ctx = () => ({ domain, me: me.address, peers, now, replay: createReplayCache() });
const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return "accepted";
};

describe("risk codec", () => {
  it("round-trips a snapshot, a proposal and a vote signed by registered agents", () => {
    const snap = encodeRiskMessage({
      domain,
      signer: alice,
      kind: "risk.snapshot",
      sessionId: RISK_SNAPSHOT_SESSION,
      seq: 1,
      expiry: now + 30_000,
      body: sampleSnapshotBody,
    });
    expect(decodeRiskMessage(snap.bytes, ctx()).message).toEqual(snap.message);
    const p = sampleProposal(domain, alice);
    const prop = encodeRiskMessage({
      domain,
      signer: alice,
      kind: "risk.proposal",
      sessionId: p.id,
      seq: 0,
      expiry: now + 30_000,
      body: p.body,
    });
    expect(decodeRiskMessage(prop.bytes, ctx()).message.body).toEqual(p.body);
    const vote = encodeRiskMessage({
      domain,
      signer: bob,
      kind: "risk.vote",
      sessionId: p.id,
      seq: 0,
      expiry: now + 30_000,
      body: {
        proposalId: p.id,
        approve: true,
        estimate: sampleEstimate,
        alertSignature: signRiskAlert(domain, p.alert, bob).signature,
      },
    });
    expect(decodeRiskMessage(vote.bytes, ctx()).digest).toBe(vote.digest);
  });

  it("refuses a forged, replayed, unregistered, stale or inconsistent message", () => {
    const p = sampleProposal(domain, alice);
    const voteBody = {
      proposalId: p.id,
      approve: true,
      estimate: sampleEstimate,
      alertSignature: signRiskAlert(domain, p.alert, bob).signature,
    };
    const enc = (over: Partial<Parameters<typeof encodeRiskMessage<"risk.vote">>[0]> = {}) =>
      encodeRiskMessage({
        domain,
        signer: bob,
        kind: "risk.vote",
        sessionId: p.id,
        seq: 0,
        expiry: now + 30_000,
        body: voteBody,
        ...over,
      });
    // Forged: the envelope claims bob but mallory signed.
    const good = enc();
    const forged = JSON.parse(Buffer.from(good.bytes).toString());
    forged.sig = mallory.signDigest(good.digest);
    expect(codeOf(() => decodeRiskMessage(Buffer.from(JSON.stringify(forged)), ctx()))).toBe("BadSignature");
    // Replayed.
    const c = ctx();
    decodeRiskMessage(good.bytes, c);
    expect(codeOf(() => decodeRiskMessage(good.bytes, c))).toBe("Replay");
    // Unregistered sender, even with a valid signature.
    const stranger = enc({
      signer: mallory,
      body: { ...voteBody, alertSignature: signRiskAlert(domain, p.alert, mallory).signature },
    });
    expect(codeOf(() => decodeRiskMessage(stranger.bytes, ctx()))).toBe("UnknownPeer");
    // Expired.
    expect(codeOf(() => decodeRiskMessage(enc({ expiry: now - 1 }).bytes, ctx()))).toBe("ExpiredMessage");
    // An approval carrying someone else's alert signature.
    const borrowed = enc({
      body: { ...voteBody, alertSignature: signRiskAlert(domain, p.alert, alice).signature },
    });
    expect(codeOf(() => decodeRiskMessage(borrowed.bytes, ctx()))).toBe("InconsistentRiskMessage");
    // A proposal whose evidence is not what its alert commits to.
    const tampered = { ...p.body, evidence: { ...p.body.evidence, protocolId: "another" } };
    const bad = encodeRiskMessage({
      domain,
      signer: alice,
      kind: "risk.proposal",
      sessionId: p.id,
      seq: 0,
      expiry: now + 30_000,
      body: tampered,
    });
    expect(codeOf(() => decodeRiskMessage(bad.bytes, ctx()))).toBe("InconsistentRiskMessage");
    // An approval without a signature does not even parse.
    expect(() => enc({ body: { proposalId: p.id, approve: true, estimate: sampleEstimate } })).toThrow();
  });

  it("carries a snapshot's optional book, and refuses a malformed one by schema", () => {
    const enc = encodeRiskMessage({
      domain,
      signer: alice,
      kind: "risk.snapshot",
      sessionId: RISK_SNAPSHOT_SESSION,
      seq: 2,
      expiry: now + 30_000,
      body: sampleSnapshotWithBook,
    });
    expect(decodeRiskMessage(enc.bytes, ctx()).message.body).toEqual(sampleSnapshotWithBook);
    const tamper = (edit: (book: Record<string, unknown>) => void) => {
      const raw = JSON.parse(Buffer.from(enc.bytes).toString());
      edit(raw.body.book);
      return codeOf(() => decodeRiskMessage(Buffer.from(JSON.stringify(raw)), ctx()));
    };
    expect(tamper((b) => (b.equityLossPpm = 1_000_001))).toBe("SchemaViolation");
    expect(tamper((b) => (b.claims = [{ protocolId: "perp-B", usd: -1 }]))).toBe("SchemaViolation");
    expect(tamper((b) => (b.sizeUsd = 1.5))).toBe("SchemaViolation");
    expect(tamper((b) => (b.extra = 1))).toBe("SchemaViolation");
    // Well-formed but altered after signing: the signature no longer matches.
    expect(tamper((b) => (b.shortfallUsd = 5))).toBe("BadSignature");
  });

  it("a broadcast decoded by many receivers: each still runs its own checks (echo, peer, expiry, replay, domain)", () => {
    const snap = encodeRiskMessage({
      domain,
      signer: alice,
      kind: "risk.snapshot",
      sessionId: RISK_SNAPSHOT_SESSION,
      seq: 7,
      expiry: now + 30_000,
      body: sampleSnapshotBody,
    });
    // The first receiver fills the memo of what does not depend on the receiver.
    const first = decodeRiskMessage(snap.bytes, ctx());
    expect(first.message).toEqual(snap.message);
    expect(first.digest).toBe(snap.digest);
    // The same bytes, to others: the sender itself, a receiver that does not know alice, a late one.
    expect(codeOf(() => decodeRiskMessage(snap.bytes, { ...ctx(), me: alice.address }))).toBe("OwnMessage");
    const onlyBob = createPeerRegistry([{ address: bob.address, name: "b", protocol: "perp" }]);
    expect(codeOf(() => decodeRiskMessage(snap.bytes, { ...ctx(), peers: onlyBob }))).toBe("UnknownPeer");
    expect(codeOf(() => decodeRiskMessage(snap.bytes, { ...ctx(), now: now + 60_000 }))).toBe(
      "ExpiredMessage",
    );
    // A receiver's replay cache still sees the second delivery.
    const mine = ctx();
    expect(codeOf(() => decodeRiskMessage(snap.bytes, mine))).toBe("accepted");
    expect(codeOf(() => decodeRiskMessage(snap.bytes, mine))).toBe("Replay");
    // Another chain's receiver: the envelope was signed for this domain, not that one.
    const other = { ...domain, chainId: domain.chainId + 1 };
    expect(codeOf(() => decodeRiskMessage(snap.bytes, { ...ctx(), domain: other }))).toBe("BadSignature");
    // A forged copy (one field changed, signature kept) is its own text: checked in full.
    const forged = Buffer.from(Buffer.from(snap.bytes).toString("utf8").replace('"seq":7', '"seq":8'));
    expect(codeOf(() => decodeRiskMessage(forged, ctx()))).toBe("BadSignature");
  });
});
