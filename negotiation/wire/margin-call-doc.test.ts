/**
 * docs/PROTOCOL.md §11.4: the margin call's test vector, re-encoded from the parts the document
 * names byte for byte, decoded by the borrower, and refused as the document says when its session
 * or its body is changed.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { keccak256, stringToHex } from "viem";
import { describe, expect, it } from "vitest";
import { topUpFor } from "../../agents/margin-watch.ts";
import { createSigner } from "../../core/signer.ts";
import { createPeerRegistry } from "../peers.ts";
import { decodeMessage } from "./decode-message.ts";
import { encodeMessage } from "./encode-message.ts";
import { InconsistentMarginCallError, SchemaError } from "./errors.ts";
import { signRaw, WETH } from "./fixtures.ts";

const doc = readFileSync(join(import.meta.dirname, "..", "..", "docs", "PROTOCOL.md"), "utf8");
const section = doc.slice(doc.indexOf("### 11.4 Test vector"));
const vector = section.match(/```\n(\{.*\})\n```/)?.[1];

const domain = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" as const };
const a = createSigner(`0x${"00".repeat(31)}01`);
const b = createSigner(`0x${"00".repeat(31)}02`);
const id = keccak256(stringToHex("example loan"));
const health = 1_030_000_000_000_000_000n;
const targetHealth = 1_250_000_000_000_000_000n;
const body = {
  agreementId: id,
  health,
  targetHealth,
  amount: topUpFor({ health, escrowed: 500n * 10n ** 18n, owed: 1n }, targetHealth),
  collateralToken: WETH,
  deadline: 1_767_229_200n,
};
const peers = createPeerRegistry([
  { address: a.address, name: "A", protocol: "lending" },
  { address: b.address, name: "B", protocol: "vault" },
]);
const ctx = { domain, me: b.address, peers, now: 1_767_225_599_000 };

describe("docs/PROTOCOL.md §11 margin call test vector", () => {
  it("re-encodes byte for byte, with the digest and loan id the document gives, and decodes", () => {
    const e = encodeMessage({
      domain,
      signer: a,
      kind: "margin.call",
      sessionId: id,
      seq: 0,
      to: b.address,
      expiry: 1_767_225_600_000,
      nonce: keccak256(stringToHex("example nonce")),
      body,
    });
    expect(section).toContain(id);
    expect(section).toContain(e.digest);
    expect(Buffer.from(e.bytes).toString()).toBe(vector);
    const decoded = decodeMessage(Buffer.from(vector!), ctx);
    expect(decoded.digest).toBe(e.digest);
    expect(decoded.message.body).toEqual(body);
  });

  it("is refused when its session is not its loan, or it asks for nothing", () => {
    const raw = JSON.parse(vector!) as Record<string, unknown>;
    const other = { ...raw, sessionId: keccak256(stringToHex("another loan")) };
    expect(() => decodeMessage(Buffer.from(signRaw(other, a, domain)), ctx)).toThrow(
      InconsistentMarginCallError,
    );
    const rawBody = raw.body as Record<string, string>;
    for (const change of [{ targetHealth: rawBody.health }, { amount: "0" }]) {
      const flat = { ...raw, body: { ...rawBody, ...change } };
      expect(() => decodeMessage(Buffer.from(signRaw(flat, a, domain)), ctx)).toThrow(SchemaError);
    }
  });
});
