import fc from "fast-check";
import { type Address, type Hex, keccak256, toHex, zeroAddress } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { describe, expect, it } from "vitest";
import { type Actor, createActor, SimulatedClock } from "xstate";
import { verifyAgreementSignature } from "../../core/agreement.ts";
import { createSigner, type Signer } from "../../core/signer.ts";
import type { Terms } from "../strategies/strategy.ts";
import { createAgreementPort } from "./agreement-port.ts";
import type { OutboundMessage } from "./alternating-offers.ts";
import {
  type SealedBidOutbound,
  type SealedBidOutcome,
  sealedBidAuctionMachine,
  sealedBidLenderMachine,
} from "./sealed-bid.ts";
import {
  COMMITMENT_KIND,
  CommitBodySchema,
  type CommitmentParameters,
  commitmentOf,
  commitmentPreimage,
  RevealBodySchema,
  SealedRfqBodySchema,
  sealBid,
} from "./sealed-bid-messages.ts";

const domain = { chainId: 31337, verifyingContract: "0x00000000000000000000000000000000000000aa" as const };
const usdc = "0x00000000000000000000000000000000000000C0" as const;
const weth = "0x00000000000000000000000000000000000000E0" as const;
const sessionId: Hex = keccak256(toHex("sealed"));
const salt: Hex = `0x${"ab".repeat(32)}`;
const rfq = {
  principalToken: usdc,
  principal: 1_000_000n,
  maxRateBps: 900,
  tenor: 86_400,
  collateralToken: weth,
  collateral: 700n,
};
const bid = (rateBps: number): Terms => ({
  principal: 1_000_000n,
  rateBps,
  tenor: 86_400,
  collateralToken: weth,
  collateral: 700n,
  haircutBps: 2000,
});
const LATENCY = 10;
const COMMIT_BY = 100;
const REVEAL_BY = 200;

describe("sealed-bid messages", () => {
  const lender: Address = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf";

  it("commits to session, lender, terms and salt in a documented canonical preimage", () => {
    const p = { sessionId, lender, terms: bid(650), salt };
    expect(commitmentPreimage(p)).toBe(
      `{"kind":"${COMMITMENT_KIND}","lender":"0x7e5f4552091a69125d5dfcb7b8c2659029395bdf","salt":"${salt}",` +
        `"sessionId":"${sessionId}","terms":{"collateral":"700","collateralToken":"0x00000000000000000000000000000000000000e0",` +
        `"haircutBps":2000,"principal":"1000000","rateBps":650,"tenor":86400}}`,
    );
    expect(commitmentOf(p)).toBe(keccak256(toHex(commitmentPreimage(p))));
    // Address case does not matter; every field does.
    expect(commitmentOf({ ...p, lender: lender.toLowerCase() as Address })).toBe(commitmentOf(p));
    expect(commitmentOf({ ...p, terms: bid(651) })).not.toBe(commitmentOf(p));
    expect(commitmentOf({ ...p, salt: `0x${"cd".repeat(32)}` })).not.toBe(commitmentOf(p));
    expect(commitmentOf({ ...p, lender: zeroAddress })).not.toBe(commitmentOf(p));
    expect(commitmentOf({ ...p, sessionId: keccak256(toHex("other")) })).not.toBe(commitmentOf(p));
  });

  it("matches the test vector of docs/PROTOCOL.md §4 (§5.3's example terms)", () => {
    const p: CommitmentParameters = {
      sessionId: keccak256(toHex("example session")),
      lender,
      salt: keccak256(toHex("example salt")),
      terms: {
        principal: 1_000_000_000_000n,
        rateBps: 650,
        tenor: 2_592_000,
        collateralToken: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
        collateral: 450_000_000_000_000_000_000n,
        haircutBps: 1500,
      },
    };
    expect(commitmentPreimage(p)).toBe(
      '{"kind":"liq.sealed-bid.v0","lender":"0x7e5f4552091a69125d5dfcb7b8c2659029395bdf",' +
        '"salt":"0x0ccc6cd43178fb492fe88cff3ed06aa4f709a4da5b48e8eb53b316164b699e84",' +
        '"sessionId":"0x90ea85070de6e01367ac09c8a3528edcce3ec22295d2fab9b7b5cfb148209e24",' +
        '"terms":{"collateral":"450000000000000000000","collateralToken":"0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",' +
        '"haircutBps":1500,"principal":"1000000000000","rateBps":650,"tenor":2592000}}',
    );
    expect(commitmentOf(p)).toBe("0xa80da8c4a8d71332129905db182c03239e09bd7b4eee1b023765819d98401546");
  });

  it("sealBid's reveal opens its commit; fresh salts differ", () => {
    const a = sealBid({ sessionId, lender, terms: bid(650) });
    const b = sealBid({ sessionId, lender, terms: bid(650) });
    expect(commitmentOf({ sessionId, lender, ...a.reveal })).toBe(a.commit.commitment);
    expect(a.reveal.salt).not.toBe(b.reveal.salt);
  });

  it("validates bodies strictly", () => {
    const wireTerms = { ...bid(650), principal: "1000000", collateral: "700" };
    expect(CommitBodySchema.safeParse({ commitment: salt }).success).toBe(true);
    expect(CommitBodySchema.safeParse({ commitment: "0x12" }).success).toBe(false);
    expect(CommitBodySchema.safeParse({ commitment: salt, extra: 1 }).success).toBe(false);
    expect(RevealBodySchema.safeParse({ terms: wireTerms, salt }).success).toBe(true);
    expect(RevealBodySchema.safeParse({ terms: { ...wireTerms, principal: 1 }, salt }).success).toBe(false);
    const wireRfq = { ...rfq, principal: "1000000", collateral: "700" };
    const auction = { mode: "sealed", commitBy: 1_000, revealBy: 2_000 };
    expect(SealedRfqBodySchema.safeParse({ ...wireRfq, auction }).success).toBe(true);
    expect(
      SealedRfqBodySchema.safeParse({ ...wireRfq, auction: { ...auction, revealBy: 1_000 } }).success,
    ).toBe(false);
    expect(SealedRfqBodySchema.safeParse({ ...wireRfq, auction: { ...auction, mode: "open" } }).success).toBe(
      false,
    );
    expect(SealedRfqBodySchema.safeParse(wireRfq).success).toBe(false);
  });
});

type Script =
  /** An honest lender machine bidding `rate`, starting at `at` ms. */
  | { kind: "honest"; rate: number; at?: number; confirms?: boolean }
  /** Commits to `rate` but reveals `revealRate`. */
  | { kind: "liar"; rate: number; revealRate: number }
  /** Commits and never reveals. */
  | { kind: "silent"; rate: number }
  /** Reveals before the commit deadline. */
  | { kind: "early"; rate: number };

function auctionWith(scripts: Script[], opts: { maxRateBps?: number } = {}) {
  const clock = new SimulatedClock();
  const borrower = createSigner(generatePrivateKey());
  const nowSec = () => 1_700_000_000n;
  const portFor = (signer: Signer, lender: Address) =>
    createAgreementPort({
      domain,
      signer,
      sessionId,
      lender,
      borrower: borrower.address,
      principalToken: usdc,
      settlementWindowSec: 300,
      nowSec,
    });
  const inFlight: { at: number; deliver: () => void }[] = [];
  const later = (deliver: () => void, delay = LATENCY) => inFlight.push({ at: clock.now() + delay, deliver });
  const auction = createActor(sealedBidAuctionMachine, {
    clock,
    input: {
      sessionId,
      rfq,
      commitBy: COMMIT_BY,
      revealBy: REVEAL_BY,
      portFor: (lender) => portFor(borrower, lender),
      score: (t) => -t.rateBps,
      acceptable: (t) => t.rateBps <= (opts.maxRateBps ?? 800),
      confirmTimeoutMs: 50,
      now: () => clock.now(),
    },
  });
  const toAuction = (e: Parameters<typeof auction.send>[0]) =>
    later(() => auction.getSnapshot().status === "active" && auction.send(e));
  const sent: SealedBidOutbound[] = [];
  const lenders: { signer: Signer; script: Script; actor?: Actor<typeof sealedBidLenderMachine> }[] = [];
  for (const script of scripts) {
    const signer = createSigner(generatePrivateKey());
    const entry: (typeof lenders)[number] = { signer, script };
    lenders.push(entry);
    const sealed = sealBid({ sessionId, lender: signer.address, terms: bid(script.rate) });
    const from = signer.address;
    if (script.kind === "honest") {
      const actor = createActor(sealedBidLenderMachine, {
        clock,
        input: {
          sessionId,
          borrower: borrower.address,
          ...sealed,
          commitBy: COMMIT_BY,
          revealBy: REVEAL_BY,
          awardTimeoutMs: 100,
          port: portFor(signer, signer.address),
          now: () => clock.now(),
        },
      });
      entry.actor = actor;
      actor.on("outbound", (e) => {
        const m = e.message;
        if (m.kind === "commit") toAuction({ type: "commit.received", from, commitment: m.body.commitment });
        else if (m.kind === "reveal") toAuction({ type: "reveal.received", from, ...m.body });
        else if (m.kind === "confirm" && script.confirms !== false)
          toAuction({ type: "confirm.received", from, ...m.body });
        else if (m.kind === "reject") toAuction({ type: "reject.received", from, reason: m.body.reason });
      });
      later(() => actor.start(), script.at ?? 0);
      continue;
    }
    later(() => auction.send({ type: "commit.received", from, commitment: sealed.commit.commitment }), 0);
    if (script.kind === "liar") {
      later(
        () =>
          auction.send({
            type: "reveal.received",
            from,
            terms: bid(script.revealRate),
            salt: sealed.reveal.salt,
          }),
        COMMIT_BY + 5,
      );
    }
    if (script.kind === "early") {
      later(() => auction.send({ type: "reveal.received", from, ...sealed.reveal }), 20);
    }
  }
  auction.on("outbound", (e) => {
    sent.push({ to: e.to, message: e.message } as SealedBidOutbound);
    const target = lenders.find((l) => l.signer.address === e.to)?.actor;
    const m = e.message as OutboundMessage;
    if (!target) return;
    if (m.kind === "accept")
      later(
        () => target.getSnapshot().status === "active" && target.send({ type: "accept.received", ...m.body }),
      );
    if (m.kind === "reject")
      later(
        () =>
          target.getSnapshot().status === "active" &&
          target.send({ type: "reject.received", reason: m.body.reason }),
      );
  });
  const run = (): SealedBidOutcome => {
    auction.start();
    for (let i = 0; i < 10_000; i++) {
      const pending = inFlight.length > 0;
      if (!pending && auction.getSnapshot().status !== "active") break;
      if (!pending) {
        clock.increment(10);
        continue;
      }
      const at = Math.min(...inFlight.map((x) => x.at));
      const [next] = inFlight.splice(
        inFlight.findIndex((x) => x.at === at),
        1,
      );
      if (at > clock.now()) clock.increment(at - clock.now());
      next!.deliver();
    }
    return auction.getSnapshot().output!;
  };
  const resultOf = (out: SealedBidOutcome, i: number) =>
    out.bidders[lenders[i]!.signer.address.toLowerCase()];
  const rejectsTo = (i: number) =>
    sent
      .filter((s) => s.to === lenders[i]!.signer.address && s.message.kind === "reject")
      .map((s) => s.message.body);
  return { clock, auction, lenders, run, sent, resultOf, rejectsTo, borrower };
}

describe("sealed-bid auction", () => {
  it("awards the best revealed bid and disqualifies late, lying and silent bidders", () => {
    const a = auctionWith([
      { kind: "honest", rate: 700 }, // valid, outbid
      { kind: "honest", rate: 550 }, // best: wins
      { kind: "liar", rate: 500, revealRate: 400 }, // reveal does not open the commitment
      { kind: "silent", rate: 450 }, // never reveals
      { kind: "honest", rate: 300, at: COMMIT_BY + 1 }, // commits too late
    ]);
    const out = a.run();
    expect(a.sent[0]).toMatchObject({
      to: zeroAddress,
      message: { kind: "rfq", body: { auction: { mode: "sealed" } } },
    });
    expect(out.status).toBe("agreed");
    if (out.status !== "agreed") return;
    expect(out.lender).toBe(a.lenders[1]!.signer.address);
    expect(out.agreement.rateBps).toBe(550);
    expect(() =>
      verifyAgreementSignature(domain, out.agreement, out.lenderSignature, "lender"),
    ).not.toThrow();
    expect(() =>
      verifyAgreementSignature(domain, out.agreement, out.borrowerSignature, "borrower"),
    ).not.toThrow();
    expect(a.resultOf(out, 0)).toMatchObject({ end: "outbid" });
    expect(a.resultOf(out, 1)).toMatchObject({ end: "won" });
    expect(a.resultOf(out, 2)).toEqual({ end: "disqualified", reason: "commitment mismatch" });
    expect(a.resultOf(out, 3)).toEqual({ end: "disqualified", reason: "unrevealed" });
    expect(a.resultOf(out, 4)).toEqual({ end: "disqualified", reason: "late commit" });
    // Every loser was told why; the winner only got the accept.
    expect(a.rejectsTo(0)).toEqual([{ reason: "outbid", code: "outbid" }]);
    expect(a.rejectsTo(1)).toEqual([]);
    expect(a.rejectsTo(2)).toEqual([
      { reason: "disqualified: commitment mismatch", code: "commitment-mismatch" },
    ]);
    expect(a.rejectsTo(3)).toEqual([{ reason: "disqualified: unrevealed", code: "unrevealed" }]);
    expect(a.rejectsTo(4)).toEqual([{ reason: "disqualified: late commit", code: "late-commit" }]);
    // The lenders' own machines end named.
    expect(a.lenders[0]!.actor!.getSnapshot().output).toEqual({ status: "lost", reason: "outbid" });
    expect(a.lenders[1]!.actor!.getSnapshot().output?.status).toBe("won");
    expect(a.lenders[4]!.actor!.getSnapshot().output).toEqual({
      status: "lost",
      reason: "disqualified: late commit",
    });
  });

  it("closes the reveal phase early once every committed bid is revealed (simulated clock)", () => {
    const a = auctionWith([
      { kind: "honest", rate: 600 },
      { kind: "honest", rate: 650 },
    ]);
    const out = a.run();
    expect(out.status).toBe("agreed");
    // Reveals arrive at COMMIT_BY + LATENCY; award and confirm follow without waiting for REVEAL_BY.
    expect(a.clock.now()).toBeLessThan(REVEAL_BY);
  });

  it("disqualifies early reveals and bids beyond the reservation; no valid bid means no deal", () => {
    const a = auctionWith([
      { kind: "early", rate: 500 },
      { kind: "honest", rate: 850 },
    ]);
    const out = a.run();
    expect(out).toMatchObject({ status: "no-deal", reason: "no valid bid" });
    expect(a.resultOf(out, 0)).toEqual({ end: "disqualified", reason: "early reveal" });
    expect(a.resultOf(out, 1)).toEqual({ end: "disqualified", reason: "unacceptable terms" });
    expect(a.sent.some((s) => s.message.kind === "accept")).toBe(false);
  });

  it("ends unconfirmed when the winner never countersigns", () => {
    const a = auctionWith([{ kind: "honest", rate: 600, confirms: false }]);
    const out = a.run();
    expect(out).toMatchObject({ status: "unconfirmed", lender: a.lenders[0]!.signer.address });
  });

  it("always awards the best valid bid, and every bidder ends named (property)", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant("honest" as const), rate: fc.integer({ min: 100, max: 1000 }) }),
            // A liar reveals terms other than those it committed to (a scripted bidder with no
            // lender machine, so it could not confirm an award anyway).
            fc
              .record({
                kind: fc.constant("liar" as const),
                rate: fc.integer({ min: 100, max: 1000 }),
                revealRate: fc.integer({ min: 100, max: 1000 }),
              })
              .filter((r) => r.revealRate !== r.rate),
            fc.record({ kind: fc.constant("silent" as const), rate: fc.integer({ min: 100, max: 1000 }) }),
          ),
          { maxLength: 5 },
        ),
        (scripts) => {
          const a = auctionWith(scripts);
          const out = a.run();
          const valid = scripts
            .map((s, i) => ({ s, i }))
            .filter(({ s }) => s.kind === "honest" && s.rate <= 800);
          expect(Object.keys(out.bidders)).toHaveLength(scripts.length);
          for (const r of Object.values(out.bidders))
            expect(["won", "outbid", "disqualified"]).toContain(r.end);
          if (valid.length === 0) {
            expect(out.status).toBe("no-deal");
            return;
          }
          expect(out.status).toBe("agreed");
          if (out.status !== "agreed") return;
          expect(out.agreement.rateBps).toBe(Math.min(...valid.map(({ s }) => s.rate)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
