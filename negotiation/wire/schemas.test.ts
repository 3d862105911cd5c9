import { describe, expect, it } from "vitest";
import { encodeMessage } from "./encode-message.ts";
import { newSigner, sampleBody, sessionIdOf, testDomain } from "./fixtures.ts";
import { MESSAGE_KINDS, MessageSchema, parseMessage } from "./schemas.ts";

const lender = newSigner();
const borrower = newSigner();

function raw(kind: (typeof MESSAGE_KINDS)[number]): Record<string, unknown> {
  const sessionId = sessionIdOf(kind);
  const { bytes } = encodeMessage({
    domain: testDomain,
    signer: lender,
    kind,
    sessionId,
    seq: 3,
    ...(kind === "rfq" ? {} : { to: borrower.address }),
    expiry: 1_800_000_000_000,
    body: sampleBody(kind, { sessionId, sender: lender, peer: borrower.address }),
  });
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

/** The raw message with its hex and addresses in other letter cases than the encoder writes. */
function recased(obj: Record<string, unknown>): Record<string, unknown> {
  const hex = (v: unknown) => `0x${(v as string).slice(2).toUpperCase()}`;
  return {
    ...obj,
    sessionId: hex(obj.sessionId),
    nonce: hex(obj.nonce),
    sig: hex(obj.sig),
    from: (obj.from as string).toLowerCase(),
    to: hex(obj.to),
  };
}

describe("parseMessage", () => {
  it("gives MessageSchema's output for every valid message, whatever the letter case", () => {
    for (const kind of MESSAGE_KINDS) {
      for (const obj of [raw(kind), recased(raw(kind))]) {
        const fast = parseMessage(obj);
        const zod = MessageSchema.safeParse(obj);
        expect(fast.success).toBe(true);
        expect(fast).toEqual(zod);
        expect(Object.keys(fast.data!)).toEqual(Object.keys(zod.data!));
      }
    }
  });

  it("gives MessageSchema's errors for invalid envelopes and bodies", () => {
    const obj = raw("offer");
    const body = obj.body as { terms: Record<string, unknown> };
    const bad: Record<string, unknown>[] = [
      { ...obj, v: 1 },
      { ...obj, extra: 1 },
      { ...obj, kind: "bid" },
      { ...obj, kind: "accept" },
      { ...obj, seq: 1.5 },
      { ...obj, expiry: -1 },
      { ...obj, from: "0x1234" },
      { ...obj, to: 42 },
      { ...obj, nonce: `0x${"zz".repeat(32)}` },
      { ...obj, sig: "0x" },
      { ...obj, body: undefined },
      { ...obj, body: { terms: { ...body.terms, haircutBps: 10_001 } } },
      { ...obj, body: { ...body, extra: true } },
    ];
    for (const b of bad) {
      const fast = parseMessage(b);
      expect(fast.success).toBe(false);
      expect(fast.error?.issues).toEqual(MessageSchema.safeParse(b).error?.issues);
    }
  });
});
