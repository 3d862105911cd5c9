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

describe("sealed-bid kinds", () => {
  const auction = { mode: "sealed", commitBy: 1_800_000_000_000, revealBy: 1_800_000_005_000 };

  it("takes a sealed RFQ's auction field, commit and reveal, the same on both paths", () => {
    const rfq = raw("rfq");
    const sealed = { ...rfq, body: { ...(rfq.body as object), auction } };
    for (const obj of [sealed, raw("commit"), raw("reveal")]) {
      const fast = parseMessage(obj);
      expect(fast.success).toBe(true);
      expect(fast).toEqual(MessageSchema.safeParse(obj));
    }
    expect(parseMessage(sealed).data?.body).toMatchObject({ auction });
    // An ordinary RFQ has no auction field at all (not an undefined one).
    expect(Object.keys(parseMessage(rfq).data!.body)).not.toContain("auction");
  });

  it("refuses bad auction fields and bodies with zod's errors", () => {
    const rfq = raw("rfq");
    const commit = raw("commit");
    const reveal = raw("reveal");
    const withAuction = (a: unknown) => ({ ...rfq, body: { ...(rfq.body as object), auction: a } });
    const bad: Record<string, unknown>[] = [
      withAuction({ ...auction, revealBy: auction.commitBy }),
      withAuction({ ...auction, mode: "open" }),
      withAuction({ ...auction, commitBy: 1.5 }),
      withAuction({ ...auction, extra: 1 }),
      withAuction(null),
      { ...commit, body: { commitment: "0x12" } },
      { ...commit, body: { ...(commit.body as object), extra: 1 } },
      { ...reveal, body: { ...(reveal.body as object), salt: undefined } },
      { ...reveal, body: { ...(reveal.body as object), extra: 1 } },
      // A reveal body under the commit kind and the other way round.
      { ...commit, body: reveal.body },
      { ...reveal, body: commit.body },
    ];
    for (const b of bad) {
      const fast = parseMessage(b);
      expect(fast.success).toBe(false);
      expect(fast.error?.issues).toEqual(MessageSchema.safeParse(b).error?.issues);
    }
    expect(parseMessage(bad[0]!).error?.issues[0]?.message).toBe("revealBy must be after commitBy");
  });
});
