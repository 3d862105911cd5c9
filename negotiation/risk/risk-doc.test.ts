/**
 * docs/PROTOCOL.md §10.6: the risk messages' test vectors, re-encoded from their parts (the keys
 * and fields the document names) byte for byte, and decoded by a receiver that knows A and B.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256, stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { hashRiskAlert, signRiskAlert } from "../../arbitration/typed-data.ts";
import { createSigner } from "../../core/signer.ts";
import { createPeerRegistry } from "../peers.ts";
import { decodeRiskMessage, encodeRiskMessage, riskEvidenceHash } from "./risk-codec.ts";
import {
  sampleEstimate,
  sampleEvidence,
  sampleSnapshotBody,
  sampleSnapshotWithBook,
} from "./risk-fixtures.ts";
import { RISK_SNAPSHOT_SESSION } from "./risk-subjects.ts";

const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "PROTOCOL.md"), "utf8");
const section = doc.slice(doc.indexOf("### 10.6 Test vectors"), doc.indexOf("## 11. Margin calls"));
const blocks = [...section.matchAll(/```\n(\{.*\})\n```/g)].map((m) => m[1]!);

const domain = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const };
const a = createSigner(`0x${"00".repeat(31)}01`);
const b = createSigner(`0x${"00".repeat(31)}02`);
const nonce = keccak256(stringToHex("example nonce"));
const expiry = 1767225600000;
const alert = {
  level: 2,
  evidenceHash: riskEvidenceHash(sampleEvidence),
  issuedAt: 1767225000n,
  expiresAt: 1767228600n,
};
const id = hashRiskAlert(domain, alert);

describe("docs/PROTOCOL.md §10 risk test vectors", () => {
  it("names the snapshot session, the evidence hash and the proposal id the code computes", () => {
    expect(doc).toContain(`\`${RISK_SNAPSHOT_SESSION}\``);
    expect(section).toContain(alert.evidenceHash);
    expect(section).toContain(id);
    expect(blocks).toHaveLength(4);
  });

  it("re-encodes each message byte for byte, with the digest the document gives, and decodes it", () => {
    const encoded = [
      encodeRiskMessage({
        domain,
        signer: a,
        kind: "risk.snapshot",
        sessionId: RISK_SNAPSHOT_SESSION,
        seq: 492386820,
        expiry,
        nonce,
        body: sampleSnapshotBody,
      }),
      encodeRiskMessage({
        domain,
        signer: a,
        kind: "risk.proposal",
        sessionId: id,
        seq: 0,
        expiry,
        nonce,
        body: { alert, evidence: sampleEvidence, alertSignature: signRiskAlert(domain, alert, a).signature },
      }),
      encodeRiskMessage({
        domain,
        signer: b,
        kind: "risk.vote",
        sessionId: id,
        seq: 0,
        expiry,
        nonce,
        body: {
          proposalId: id,
          approve: true,
          estimate: sampleEstimate,
          alertSignature: signRiskAlert(domain, alert, b).signature,
        },
      }),
      encodeRiskMessage({
        domain,
        signer: a,
        kind: "risk.snapshot",
        sessionId: RISK_SNAPSHOT_SESSION,
        seq: 492386856,
        expiry,
        nonce,
        body: sampleSnapshotWithBook,
      }),
    ];
    const peers = createPeerRegistry([
      { address: a.address, name: "A", protocol: "lending" },
      { address: b.address, name: "B", protocol: "perp" },
    ]);
    const me = createSigner(`0x${"00".repeat(31)}03`).address;
    encoded.forEach((e, i) => {
      expect(Buffer.from(e.bytes).toString()).toBe(blocks[i]);
      expect(section).toContain(e.digest);
      const decoded = decodeRiskMessage(Buffer.from(blocks[i]!), { domain, me, peers, now: expiry - 1000 });
      expect(decoded.digest).toBe(e.digest);
    });
  });
});
