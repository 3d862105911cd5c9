import { afterEach, describe, expect, it } from "vitest";
import { signAgreement } from "../../core/agreement.ts";
import { loanRfq } from "../protocols/fixtures.ts";
import { newSigner, sampleAgreement, sampleTerms, testDomain } from "../wire/fixtures.ts";
import { type AuctionState, createAuctionStore } from "./auction-store.ts";
import { DurableRecordError, InvalidKeyError } from "./errors.ts";
import { createKvScope, randomBytes32, uniqueName } from "./fixtures.ts";

const scope = createKvScope();
afterEach(() => scope.cleanup());

const me = newSigner();
const lenders = [newSigner(), newSigner()];

function state(over: Partial<AuctionState> = {}): AuctionState {
  return {
    sessionId: randomBytes32(),
    rfq: loanRfq,
    startedAt: 1_900_000_000_000,
    deadlineMs: 10_000,
    admissionMs: 300,
    admissionClosed: false,
    lenders: [],
    ...over,
  };
}

describe("createAuctionStore", () => {
  it("stores, reads back, lists and removes auctions with their lenders' parts", async () => {
    const auctions = createAuctionStore({
      kv: await scope.bucket(await scope.connect(), uniqueName("auct")),
      clock: { now: () => 42 },
    });
    const s = state();
    const agreement = sampleAgreement({
      sessionId: s.sessionId,
      lender: lenders[0]!.address,
      borrower: me.address,
    });
    // `other` below has no `rfqSent`, as records written before the field existed.
    const full = state({
      ...s,
      admissionClosed: true,
      rfqSent: true,
      lenders: [
        {
          lender: lenders[0]!.address,
          joinedAt: s.startedAt + 5,
          round: 2,
          lastOfferSent: sampleTerms,
          lastOfferReceived: { ...sampleTerms, rateBps: 700 },
          ourMove: false,
          signed: { agreement, signature: signAgreement(testDomain, agreement, me) },
        },
        {
          lender: lenders[1]!.address,
          joinedAt: s.startedAt + 7,
          round: 1,
          lastOfferReceived: sampleTerms,
          ourMove: true,
          ended: { end: "outbid", reason: "closed with another lender" },
        },
      ],
    });
    expect(await auctions.put(full)).toEqual({ ...full, v: 1, updatedAt: 42 });
    expect(await auctions.get(s.sessionId)).toEqual({ ...full, v: 1, updatedAt: 42 });
    const other = state();
    await auctions.put(other);
    expect((await auctions.list()).map((r) => r.sessionId).sort()).toEqual(
      [s.sessionId, other.sessionId].sort(),
    );
    await auctions.remove(s.sessionId);
    expect(await auctions.get(s.sessionId)).toBeUndefined();
    expect(await auctions.list()).toHaveLength(1);
  });

  it("update is a compare-and-swap read-modify-write: concurrent writers in two processes lose nothing", async () => {
    const name = uniqueName("auct");
    const a = createAuctionStore({ kv: await scope.bucket(await scope.connect(), name) });
    const b = createAuctionStore({ kv: await scope.bucket(await scope.connect(), name) });
    const s = state();
    await a.put(s);
    // Each writer adds one lender: all of them are there in the end.
    const join = (store: typeof a, i: number) =>
      store.update(s.sessionId, (cur) => {
        const { v: _v, updatedAt: _u, ...rest } = cur;
        const lender = `0x${(i + 1).toString(16).padStart(40, "0")}` as const;
        return { ...rest, lenders: [...rest.lenders, { lender, joinedAt: i, round: 0, ourMove: false }] };
      });
    await Promise.all(Array.from({ length: 12 }, (_, i) => join(i % 2 ? a : b, i)));
    expect((await b.get(s.sessionId))?.lenders).toHaveLength(12);
    expect(await a.update(randomBytes32(), (cur) => cur)).toBeUndefined();
  });

  it("refuses invalid records and keys", async () => {
    const auctions = createAuctionStore({
      kv: await scope.bucket(await scope.connect(), uniqueName("auct")),
    });
    await expect(auctions.put(state({ deadlineMs: -1 }))).rejects.toBeInstanceOf(DurableRecordError);
    await expect(
      auctions.put(
        state({
          lenders: [
            {
              lender: lenders[0]!.address,
              joinedAt: 0,
              round: 0,
              ourMove: false,
              ended: { end: "vanished" as "failed", reason: "" },
            },
          ],
        }),
      ),
    ).rejects.toBeInstanceOf(DurableRecordError);
    await expect(auctions.get("0x1234" as `0x${string}`)).rejects.toBeInstanceOf(InvalidKeyError);
  });
});
