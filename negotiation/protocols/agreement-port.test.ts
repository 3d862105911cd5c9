/**
 * The check of a counterparty's agreement covers EVERY field of the Agreement (issue 10, item 8:
 * callRiskLevel slipped through because the check listed the fields it knew). Properties over the
 * Agreement's one definition (core/agreement.ts AGREEMENT_FIELDS), so a field added there is
 * covered here without touching this file: change any field of an agreement built from what was
 * offered, and the port refuses it naming that field, and a session that receives it in an
 * `accept` sends a `reject` naming it, with its reason code.
 */
import fc from "fast-check";
import type { Address, Hex } from "viem";
import { describe, expect, it } from "vitest";
import { createActor, SimulatedClock } from "xstate";
import { AGREEMENT_FIELDS, type Agreement, type AgreementFieldDefinition } from "../../core/agreement.ts";
import { sameWord, wordArbitrary } from "../../core/agreement-arbitraries.ts";
import { nonceOf } from "../../core/agreement-nonce.ts";
import { PROTOCOL_PARAMETERS } from "../protocol-parameters.ts";
import { createTimeDependentStrategy } from "../strategies/time-dependent.ts";
import { newSigner, testDomain, USDC, WETH } from "../wire/fixtures.ts";
import type { Terms } from "../wire/schemas.ts";
import { createAgreementPort } from "./agreement-port.ts";
import { alternatingOffersMachine, type OutboundMessage } from "./alternating-offers.ts";
import { randomSessionId } from "./fixtures.ts";

const lender = newSigner();
const borrower = newSigner();
const NOW = 1_800_000_000n;
const WINDOW = PROTOCOL_PARAMETERS.maxSettlementWindowSec;

const termsArbitrary: fc.Arbitrary<Terms> = fc.record(
  {
    principal: fc.bigInt({ min: 1n, max: (1n << 256n) - 1n }),
    rateBps: fc.nat({ max: 0xffffffff }),
    tenor: fc.nat({ max: 0xffffffff }),
    collateralToken: fc.constantFrom<Address>(WETH, USDC),
    collateral: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }),
    haircutBps: fc.nat({ max: 10_000 }),
    callRiskLevel: fc.nat({ max: 255 }),
  },
  { requiredKeys: ["principal", "rateBps", "tenor", "collateralToken", "collateral", "haircutBps"] },
);

function portFor(sessionId: Hex, signer = lender) {
  return createAgreementPort({
    domain: testDomain,
    signer,
    sessionId,
    lender: lender.address,
    borrower: borrower.address,
    principalToken: USDC,
    settlementWindowSec: PROTOCOL_PARAMETERS.settlementWindowSec,
    nowSec: () => NOW,
  });
}

const fieldArbitrary = fc.constantFrom<AgreementFieldDefinition>(...AGREEMENT_FIELDS);

/** `a` with field `f` set to a value of its type that is not the same value. */
const changed = (a: Agreement, f: AgreementFieldDefinition) =>
  wordArbitrary(f.type)
    .filter((v) => !sameWord(f.type, v, (a as Record<string, unknown>)[f.name]))
    .map((v): Agreement => ({ ...a, [f.name]: v }));

describe("the agreement check compares every field", () => {
  it("an agreement built from the terms offered passes, in any letter case", () => {
    fc.assert(
      fc.property(termsArbitrary, (terms) => {
        const sessionId = randomSessionId();
        // The borrower builds (its nonce in its half); the lender checks.
        const port = portFor(sessionId);
        const a = portFor(sessionId, borrower).build(terms);
        expect(port.mismatch(a, terms)).toBeUndefined();
        const shouted = { ...a, lender: a.lender.toUpperCase().replace("0X", "0x") as Address };
        expect(port.mismatch(shouted, terms)).toBeUndefined();
        // Absent and zero are the same callRiskLevel (they sign the same).
        expect(port.mismatch({ ...a, callRiskLevel: a.callRiskLevel ?? 0 }, terms)).toBeUndefined();
      }),
      { numRuns: 200 },
    );
  });

  it("any field changed from what was agreed is refused, naming the field (the nonce is the builder's)", () => {
    let checked = 0;
    fc.assert(
      fc.property(termsArbitrary, fieldArbitrary, fc.integer({ min: 0, max: 2 ** 31 }), (terms, f, seed) => {
        const sessionId = randomSessionId();
        const port = portFor(sessionId);
        const built = portFor(sessionId, borrower).build(terms);
        const [a] = fc.sample(changed(built, f), { numRuns: 1, seed });
        if (!a) throw new Error("no sample");
        const m = port.mismatch(a, terms);
        switch (f.source) {
          case "nonce":
            // The builder's own choice, in its own half of the packed nonce (core/agreement-nonce.ts):
            // one that puts a nonce in ours is refused, naming the field.
            if (nonceOf(a, "lender") === 0n) expect(m).toBeUndefined();
            else expect(m).toMatchObject({ field: "nonce", kind: "mismatch" });
            return;
          case "deadline": {
            const inWindow = a.deadline > NOW && a.deadline <= NOW + BigInt(WINDOW);
            if (inWindow) expect(m).toBeUndefined();
            else expect(m).toMatchObject({ field: "deadline", kind: "deadline" });
            return;
          }
          default:
            checked++;
            expect(m).toMatchObject({ field: f.name, kind: "mismatch" });
        }
      }),
      { numRuns: 400 },
    );
    expect(checked).toBeGreaterThan(200);
  });

  it("a port with a nonce rule refuses a nonce that breaks it, naming the field", () => {
    const sessionId = randomSessionId();
    const port = createAgreementPort({
      domain: testDomain,
      signer: lender,
      sessionId,
      lender: lender.address,
      borrower: borrower.address,
      principalToken: USDC,
      settlementWindowSec: 600,
      nowSec: () => NOW,
      nonce: () => 7n,
      acceptNonce: (n) => n < 1n << 128n,
    });
    const terms: Terms = {
      principal: 1n,
      rateBps: 1,
      tenor: 1,
      collateralToken: WETH,
      collateral: 1n,
      haircutBps: 0,
    };
    const a = port.build(terms);
    expect(a.nonce).toBe(7n);
    expect(port.mismatch(a, terms)).toBeUndefined();
    expect(port.mismatch({ ...a, nonce: 1n << 200n }, terms)).toMatchObject({
      field: "nonce",
      kind: "mismatch",
    });
  });

  it("every field's source is declared; the nonce is the only free choice", () => {
    // A new Agreement field must say what it is checked against; "nonce" is the one free choice.
    expect(AGREEMENT_FIELDS.filter((f) => f.source === "nonce").map((f) => f.name)).toEqual(["nonce"]);
    expect(new Set(AGREEMENT_FIELDS.map((f) => f.source))).toEqual(
      new Set(["session", "terms", "nonce", "deadline"]),
    );
  });

  it("a session sent such an accept rejects it with a reason naming the field and its code", () => {
    fc.assert(
      fc.property(
        fieldArbitrary.filter((f) => f.source === "session" || f.source === "terms"),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (f, seed) => {
          const sessionId = randomSessionId();
          const clock = new SimulatedClock();
          clock.set(Number(NOW) * 1000);
          const terms: Terms = {
            principal: 1_000_000n,
            rateBps: 700,
            tenor: 86_400,
            collateralToken: WETH,
            collateral: 700n,
            haircutBps: 2000,
          };
          const sent: OutboundMessage[] = [];
          const session = createActor(alternatingOffersMachine, {
            clock,
            input: {
              side: "lender",
              sessionId,
              peer: borrower.address,
              strategy: createTimeDependentStrategy({
                side: "lender",
                openingRateBps: 700,
                reservationRateBps: 700,
                exponent: 1,
                template: terms,
              }),
              maxRounds: 4,
              deadlineMs: 10_000,
              confirmTimeoutMs: 1_000,
              opensWithOffer: true,
              now: () => clock.now(),
              port: portFor(sessionId),
            },
          });
          session.on("outbound", (e) => sent.push(e.message));
          session.start();
          const offer = sent[0];
          if (offer?.kind !== "offer") throw new Error("expected the lender's opening offer");
          // The borrower "accepts" it with one field changed, and signs that.
          const borrowerPort = portFor(sessionId, borrower);
          const base = borrowerPort.build(offer.body.terms);
          const [a] = fc.sample(changed(base, f), { numRuns: 1, seed });
          if (!a) throw new Error("no sample");
          session.send({ type: "accept.received", agreement: a, signature: borrowerPort.sign(a) });
          const reject = sent.at(-1);
          expect(reject?.kind).toBe("reject");
          if (reject?.kind !== "reject") return;
          expect(reject.body.code).toBe("agreement-mismatch");
          expect(reject.body.reason).toContain(`: ${f.name} is `);
          expect(session.getSnapshot().output).toMatchObject({
            status: "failed",
            code: "agreement-mismatch",
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});
