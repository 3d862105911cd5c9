import { afterEach, describe, expect, it } from "vitest";
import { signAgreement } from "../../core/agreement.ts";
import { newSigner, sampleAgreement, sampleTerms, testDomain, USDC } from "../wire/fixtures.ts";
import { DurableRecordError, InvalidKeyError } from "./errors.ts";
import { createKvScope, randomBytes32, uniqueName } from "./fixtures.ts";
import { createSessionStore, type SessionState } from "./session-store.ts";

const scope = createKvScope();
afterEach(() => scope.cleanup());

const me = newSigner();
const peer = newSigner().address;

function state(over: Partial<SessionState> = {}): SessionState {
  return { sessionId: randomBytes32(), role: "borrower", peer, principalToken: USDC, round: 0, ...over };
}

describe("createSessionStore", () => {
  it("stores, reads back, lists and removes sessions, keyed by (session, peer)", async () => {
    const kv = await scope.bucket(await scope.connect(), uniqueName("sess"));
    const sessions = createSessionStore({ kv, clock: { now: () => 42 } });
    const agreement = sampleAgreement({ sessionId: randomBytes32(), lender: peer, borrower: me.address });
    const s = state({
      round: 3,
      lastOfferSent: sampleTerms,
      lastOfferReceived: { ...sampleTerms, rateBps: 700 },
      myLastAgreement: { agreement, signature: signAgreement(testDomain, agreement, me) },
      deadline: 1_900_000_000_000,
    });
    const other = state({ sessionId: s.sessionId, peer: newSigner().address, role: "lender" });
    expect(await sessions.put(s)).toEqual({ ...s, v: 1, updatedAt: 42 });
    await sessions.put(other);
    expect(await sessions.get(s.sessionId, peer)).toEqual({ ...s, v: 1, updatedAt: 42 });
    expect((await sessions.list()).map((r) => r.peer).sort()).toEqual([peer, other.peer].sort());
    await sessions.remove(s.sessionId, peer);
    expect(await sessions.get(s.sessionId, peer)).toBeUndefined();
    expect(await sessions.list()).toHaveLength(1);
    // A removed session can be stored again.
    await sessions.put(s);
    expect(await sessions.list()).toHaveLength(2);
  });

  it("update is a compare-and-swap read-modify-write: concurrent writers in two processes lose nothing", async () => {
    const name = uniqueName("sess");
    const a = createSessionStore({ kv: await scope.bucket(await scope.connect(), name) });
    const b = createSessionStore({ kv: await scope.bucket(await scope.connect(), name) });
    const s = state();
    await a.put(s);
    const bump = (store: typeof a) =>
      store.update(s.sessionId, peer, (cur) => ({ ...cur, round: cur.round + 1 }));
    await Promise.all(Array.from({ length: 15 }, (_, i) => bump(i % 2 ? a : b)));
    expect((await b.get(s.sessionId, peer))?.round).toBe(15);
    expect(await a.update(randomBytes32(), peer, (cur) => cur)).toBeUndefined();
  });

  it("refuses invalid records and keys", async () => {
    const sessions = createSessionStore({
      kv: await scope.bucket(await scope.connect(), uniqueName("sess")),
    });
    await expect(sessions.put(state({ round: -1 }))).rejects.toBeInstanceOf(DurableRecordError);
    await expect(
      sessions.put(state({ lastOfferSent: { ...sampleTerms, haircutBps: 20_000 } })),
    ).rejects.toBeInstanceOf(DurableRecordError);
    await expect(sessions.get(randomBytes32(), "0xnope" as `0x${string}`)).rejects.toBeInstanceOf(
      InvalidKeyError,
    );
  });
});
