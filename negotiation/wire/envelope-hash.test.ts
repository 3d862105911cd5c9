import fc from "fast-check";
import { bytesToHex, domainSeparator, getAddress, type Hex, hashTypedData, keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { eip712Domain } from "../../core/agreement.ts";
import { createSigner, recoverDigest } from "../../core/signer.ts";
import { createPeerRegistry } from "../peers.ts";
import { decodeMessage } from "./decode-message.ts";
import { encodeMessage } from "./encode-message.ts";
import { ENVELOPE_TYPE, envelopeTypes, hashBody, hashEnvelope } from "./envelope-hash.ts";
import { testDomain } from "./fixtures.ts";

const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => bytesToHex(b));

describe("hashEnvelope", () => {
  it("equals viem's generic EIP-712 hashTypedData for any fields", () => {
    fc.assert(
      fc.property(
        fc.record({
          v: fc.integer({ min: 0, max: 0xffff }),
          sessionId: hex(32),
          seq: fc.integer({ min: 0, max: 0xffffffff }),
          kind: fc.oneof(fc.constantFrom("rfq", "offer", "accept", "confirm", "reject"), fc.string()),
          from: hex(20).map((a) => getAddress(a)),
          to: hex(20).map((a) => getAddress(a)),
          expiry: fc.maxSafeNat(),
          nonce: hex(32),
          bodyHash: hex(32),
        }),
        fc.integer({ min: 1, max: 2 ** 40 }),
        (f, chainId) => {
          const domain = { chainId, verifyingContract: testDomain.verifyingContract };
          const viem = hashTypedData({
            domain: eip712Domain(domain),
            types: envelopeTypes,
            primaryType: "Envelope",
            message: { ...f, expiry: BigInt(f.expiry) },
          });
          expect(hashEnvelope(domain, f)).toBe(viem);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("type string matches the type definition", () => {
    const fields = envelopeTypes.Envelope.map((f) => `${f.type} ${f.name}`).join(",");
    expect(ENVELOPE_TYPE).toBe(`Envelope(${fields})`);
  });

  // The test vector of docs/PROTOCOL.md#test-vector: keep both in sync.
  it("reproduces the PROTOCOL.md test vector", () => {
    const lender = createSigner(`0x${"00".repeat(31)}01`);
    const borrower = createSigner(`0x${"00".repeat(31)}02`);
    expect(lender.address).toBe("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    expect(borrower.address).toBe("0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF");
    const sessionId = keccak256(toHex("example session"));
    const nonce = keccak256(toHex("example nonce"));
    const body = {
      terms: {
        principal: 1000000000000n,
        rateBps: 650,
        tenor: 2592000,
        collateralToken: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2" as const,
        collateral: 450000000000000000000n,
        haircutBps: 1500,
      },
      inReplyTo: 0,
    };
    const { bytes, digest } = encodeMessage({
      domain: testDomain,
      signer: lender,
      kind: "offer",
      sessionId,
      seq: 1,
      to: borrower.address,
      expiry: 1767225600000,
      nonce,
      body,
    });
    expect(keccak256(toHex(ENVELOPE_TYPE))).toBe(
      "0x8e8db2410e960daa800766bddbdac753295d148afaefda6c8b0fe67e3d5be680",
    );
    expect(domainSeparator({ domain: eip712Domain(testDomain) })).toBe(
      "0xc7ce39154f8dbfc118c039c45de920967409b569149e37d86d7154d2089ea815",
    );
    expect(hashBody(body)).toBe("0x3526789e31a3c7a0f7de4941eab24bc654f6983bcf77b00e131fab76e4ccb482");
    expect(digest).toBe("0x78c8329c46f740ff31fe05e1e03e312031640ee4a26376025b7ec5f935dcd8e2");
    const wire =
      '{"body":{"inReplyTo":0,"terms":{"collateral":"450000000000000000000","collateralToken":"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2","haircutBps":1500,"principal":"1000000000000","rateBps":650,"tenor":2592000}},"expiry":1767225600000,"from":"0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf","kind":"offer","nonce":"0xa5b579dc658f8a7c1ab474831d23efdc4e8b0e804abf97287bdef0f5dc36daf1","seq":1,"sessionId":"0x90ea85070de6e01367ac09c8a3528edcce3ec22295d2fab9b7b5cfb148209e24","sig":"0x60d9a5830265b0bb272d7c0a70046e85f5c1c8565c77ec80d17937954b4c014c12b711b094968ab10f520755b9fd5964bb61169285f0cb26be8b851ec76b86371c","to":"0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF","v":0}';
    expect(new TextDecoder().decode(bytes)).toBe(wire);
    const sig = JSON.parse(wire).sig as Hex;
    expect(recoverDigest(digest, sig)).toBe(lender.address);

    // A peer that writes the same message with other key order and whitespace is equally valid.
    const reordered = JSON.stringify(
      Object.fromEntries(Object.entries(JSON.parse(wire)).reverse()),
      (_k, v) =>
        v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
      2,
    );
    const { message } = decodeMessage(new TextEncoder().encode(reordered), {
      domain: testDomain,
      me: borrower.address,
      peers: createPeerRegistry([{ address: lender.address, name: "lender", protocol: "lending" }]),
      now: 1767225600000 - 1000,
    });
    expect(message.kind).toBe("offer");
  });
});
