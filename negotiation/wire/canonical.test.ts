import { keccak256, toHex } from "viem";
import { describe, expect, it } from "vitest";
import { CanonicalJsonError, canonicalJson } from "./canonical.ts";

describe("canonicalJson", () => {
  it("sorts keys at every depth, drops undefined, writes bigints as decimal strings", () => {
    const value = { b: 1, a: { d: [3, { z: true, y: null }], c: 10n ** 30n }, e: undefined, "": "x" };
    expect(canonicalJson(value)).toBe(
      '{"":"x","a":{"c":"1000000000000000000000000000000","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it("escapes strings as JSON.stringify does and sorts by UTF-16 code units", () => {
    expect(canonicalJson({ é: 1, Z: 2, a: 'q"\\\n\u0001' })).toBe('{"Z":2,"a":"q\\"\\\\\\n\\u0001","é":1}');
  });

  it("is stable under key order and JSON round trips", () => {
    const a = canonicalJson({ x: 1, y: { p: "1", q: [1, 2] } });
    const b = canonicalJson(JSON.parse('{ "y": { "q": [1, 2], "p": "1" }, "x": 1.0 }'));
    expect(a).toBe(b);
  });

  it("refuses values JSON cannot carry", () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(CanonicalJsonError);
    expect(() => canonicalJson([undefined])).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(() => 1)).toThrow(CanonicalJsonError);
  });

  // The worked example of docs/PROTOCOL.md#body-hash: keep both in sync.
  it("matches the worked example in PROTOCOL.md", () => {
    const body = {
      terms: {
        tenor: 2592000,
        rateBps: 650,
        principal: 1000000000000n,
        haircutBps: 1500,
        collateralToken: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        collateral: 450000000000000000000n,
      },
      inReplyTo: 0,
    };
    const json = canonicalJson(body);
    expect(json).toBe(
      '{"inReplyTo":0,"terms":{"collateral":"450000000000000000000","collateralToken":"0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2","haircutBps":1500,"principal":"1000000000000","rateBps":650,"tenor":2592000}}',
    );
    expect(keccak256(toHex(json))).toBe("0x3526789e31a3c7a0f7de4941eab24bc654f6983bcf77b00e131fab76e4ccb482");
  });
});
