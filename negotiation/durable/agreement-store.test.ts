import { afterEach, describe, expect, it } from "vitest";
import { type Agreement, hashAgreement, signAgreement } from "../../core/agreement.ts";
import { newSigner, sampleAgreement, sessionIdOf, testDomain } from "../wire/fixtures.ts";
import { createAgreementStore, type NewAgreement } from "./agreement-store.ts";
import { AgreementStateError, DurableRecordError, InvalidKeyError } from "./errors.ts";
import { createKvScope, randomBytes32, uniqueName } from "./fixtures.ts";

const scope = createKvScope();
afterEach(() => scope.cleanup());

const lender = newSigner();
const borrower = newSigner();

function signed(over: Partial<Agreement> = {}): { id: `0x${string}`; entry: NewAgreement } {
  const agreement = {
    ...sampleAgreement({ sessionId: sessionIdOf("a"), lender: lender.address, borrower: borrower.address }),
    nonce: BigInt(randomBytes32()),
    ...over,
  };
  return {
    id: hashAgreement(testDomain, agreement),
    entry: {
      role: "lender",
      agreement,
      lenderSignature: signAgreement(testDomain, agreement, lender),
      borrowerSignature: signAgreement(testDomain, agreement, borrower),
    },
  };
}

async function store(clock = { now: () => Date.now() }, name = uniqueName("agr")) {
  const kv = await scope.bucket(await scope.connect(), name);
  return { kv, name, agreements: createAgreementStore({ kv, clock, claimLeaseMs: 1000 }) };
}

describe("createAgreementStore", () => {
  it("stores a signed agreement as pending and reads it back exactly (bigints, addresses)", async () => {
    const { agreements } = await store();
    const { id, entry } = signed();
    const rec = await agreements.put(id, entry);
    expect(rec).toMatchObject({ v: 1, status: "pending", agreementId: id, role: "lender" });
    const got = await agreements.get(id);
    expect(got?.agreement).toEqual(entry.agreement);
    expect(typeof got?.agreement.principal).toBe("bigint");
    expect(await agreements.pending()).toEqual([got]);
    expect(await agreements.get(randomBytes32())).toBeUndefined();
  });

  it("put is idempotent for the same agreement and refuses different contents under the same id", async () => {
    const { agreements } = await store();
    const { id, entry } = signed();
    const first = await agreements.put(id, entry);
    expect(
      await agreements.put(id, {
        ...entry,
        lenderSignature: entry.lenderSignature.toUpperCase().replace("0X", "0x") as `0x${string}`,
      }),
    ).toEqual(first);
    await expect(agreements.put(id, { ...entry, role: "borrower" })).rejects.toBeInstanceOf(
      AgreementStateError,
    );
    await expect(
      agreements.put(id, { ...entry, agreement: { ...entry.agreement, rateBps: 1 } }),
    ).rejects.toBeInstanceOf(AgreementStateError);
  });

  it("claimForSettlement: exactly one of many concurrent claimers in two processes wins", async () => {
    const name = uniqueName("agr");
    const a = (await store(undefined, name)).agreements;
    const b = (await store(undefined, name)).agreements;
    const ids: `0x${string}`[] = [];
    for (let i = 0; i < 20; i++) {
      const { id, entry } = signed();
      await a.put(id, entry);
      ids.push(id);
    }
    for (const id of ids) {
      const results = await Promise.all([
        a.claimForSettlement(id, "old-process"),
        b.claimForSettlement(id, "new-process"),
        a.claimForSettlement(id, "old-process-2"),
        b.claimForSettlement(id, "new-process-2"),
      ]);
      const winners = results.filter((r) => r.claimed);
      expect(winners).toHaveLength(1);
      const owner = winners[0]!.record.claim?.owner;
      for (const r of results.filter((x) => !x.claimed)) {
        expect(r).toMatchObject({ claimed: false, reason: "claimed-by-other", record: { claim: { owner } } });
      }
    }
  });

  it("a claim holds for its lease; the same owner may renew; another owner may take over after it", async () => {
    const clock = {
      t: 1_000_000,
      now() {
        return this.t;
      },
    };
    const { agreements } = await store(clock);
    const { id, entry } = signed();
    await agreements.put(id, entry);
    expect((await agreements.claimForSettlement(id, "p1")).claimed).toBe(true);
    clock.t += 500;
    expect(await agreements.claimForSettlement(id, "p2")).toMatchObject({
      claimed: false,
      reason: "claimed-by-other",
    });
    const renewed = await agreements.claimForSettlement(id, "p1");
    expect(renewed).toMatchObject({
      claimed: true,
      record: { claim: { owner: "p1", until: clock.t + 1000 } },
    });
    clock.t += 1001;
    expect(await agreements.claimForSettlement(id, "p2")).toMatchObject({
      claimed: true,
      record: { claim: { owner: "p2" } },
    });
    expect((await agreements.pending()).map((r) => r.status)).toEqual(["claimed"]);
  });

  it("release gives the claim back only for its owner", async () => {
    const { agreements } = await store();
    const { id, entry } = signed();
    await agreements.put(id, entry);
    await agreements.claimForSettlement(id, "p1");
    expect(await agreements.release(id, "p2")).toBe(false);
    expect(await agreements.release(id, "p1")).toBe(true);
    const rec = await agreements.get(id);
    expect(rec?.status).toBe("pending");
    expect(rec?.claim).toBeUndefined();
    expect((await agreements.claimForSettlement(id, "p2")).claimed).toBe(true);
  });

  it("markSettled ends the agreement: idempotent, refuses a second txHash, nobody can claim it again", async () => {
    const { agreements } = await store();
    const { id, entry } = signed();
    await agreements.put(id, entry);
    await agreements.claimForSettlement(id, "p1");
    const tx = randomBytes32();
    const rec = await agreements.markSettled(id, tx);
    expect(rec).toMatchObject({ status: "settled", txHash: tx });
    expect(rec.claim).toBeUndefined();
    expect(await agreements.markSettled(id, tx)).toEqual(rec);
    await expect(agreements.markSettled(id, randomBytes32())).rejects.toBeInstanceOf(AgreementStateError);
    expect(await agreements.claimForSettlement(id, "p2")).toMatchObject({
      claimed: false,
      reason: "settled",
    });
    expect(await agreements.markExpired(id)).toEqual(rec); // no-op
    expect(await agreements.pending()).toEqual([]);
  });

  it("markExpired takes pending or claimed agreements out of the queue", async () => {
    const { agreements } = await store();
    const x = signed();
    const y = signed();
    await agreements.put(x.id, x.entry);
    await agreements.put(y.id, y.entry);
    await agreements.claimForSettlement(y.id, "p1");
    expect((await agreements.markExpired(x.id)).status).toBe("expired");
    expect((await agreements.markExpired(y.id)).status).toBe("expired");
    expect(await agreements.claimForSettlement(x.id, "p1")).toMatchObject({
      claimed: false,
      reason: "expired",
    });
    expect(await agreements.pending()).toEqual([]);
    // The chain is the truth: a transaction that did land is still recorded.
    expect((await agreements.markSettled(y.id, randomBytes32())).status).toBe("settled");
  });

  it("refuses unknown ids, malformed ids, and corrupt or future-version records", async () => {
    const { agreements, kv } = await store();
    const missing = randomBytes32();
    expect(await agreements.claimForSettlement(missing, "p")).toEqual({
      claimed: false,
      reason: "not-found",
    });
    await expect(agreements.markSettled(missing, randomBytes32())).rejects.toBeInstanceOf(
      AgreementStateError,
    );
    await expect(agreements.markExpired(missing)).rejects.toBeInstanceOf(AgreementStateError);
    await expect(agreements.get("0x12" as `0x${string}`)).rejects.toBeInstanceOf(InvalidKeyError);
    const { id, entry } = signed();
    const rec = await agreements.put(id, entry);
    const json = JSON.parse(new TextDecoder().decode((await kv.get(id))!.value)) as Record<string, unknown>;
    await kv.put(id, JSON.stringify({ ...json, v: 2 }));
    await expect(agreements.get(id)).rejects.toBeInstanceOf(DurableRecordError);
    await kv.put(id, "{not json");
    await expect(agreements.claimForSettlement(id, "p")).rejects.toBeInstanceOf(DurableRecordError);
    await expect(agreements.pending()).rejects.toBeInstanceOf(DurableRecordError);
    expect(rec.status).toBe("pending");
  });
});
