import type { Hex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { ReplayError, ReplayStoreUnavailableError } from "../wire/errors.ts";
import type { ReplayKey } from "../wire/replay-cache.ts";
import { createKvScope, randomBytes32, uniqueName } from "./fixtures.ts";
import { createKvReplayCache, ReplayRecordSchema, replayKeyOf } from "./kv-replay-cache.ts";

const scope = createKvScope();
afterEach(() => scope.cleanup());

const NOW = 1_800_000_000_000;
const FROM = "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf";
const session = randomBytes32();
const msg = (seq: number, over: Partial<ReplayKey> = {}): ReplayKey => ({
  from: FROM,
  sessionId: session,
  seq,
  nonce: randomBytes32(),
  expiry: NOW + 30_000,
  ...over,
});

/** What decodeMessage and the endpoint do with an otherwise valid message. */
async function accept(c: ReturnType<typeof createKvReplayCache>, m: ReplayKey, now = NOW) {
  c.check(m, now);
  c.record(m, now);
  await c.commit(m, now);
}

function refuses(c: ReturnType<typeof createKvReplayCache>, m: ReplayKey, now = NOW) {
  let caught: unknown;
  try {
    c.check(m, now);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(ReplayError);
  return caught as ReplayError;
}

describe("createKvReplayCache", () => {
  it("after a restart (new connection, new cache, load) still refuses replays within the expiry window", async () => {
    const name = uniqueName("replay");
    const before = createKvReplayCache({ kv: await scope.bucket(await scope.connect(), name) });
    const m3 = msg(3);
    await accept(before, msg(1));
    await accept(before, m3);
    expect(refuses(before, m3).reason).toBe("duplicate-nonce");

    const kv = await scope.bucket(await scope.connect(), name);
    const after = createKvReplayCache({ kv });
    expect(after.size).toBe(0);
    expect(await after.load(NOW + 1000)).toBe(1);
    expect(refuses(after, m3, NOW + 1000).reason).toBe("duplicate-nonce");
    expect(refuses(after, msg(2), NOW + 1000).reason).toBe("stale-seq");
    expect(refuses(after, msg(3), NOW + 1000).reason).toBe("stale-seq");
    await accept(after, msg(4), NOW + 1000);
    const stored = ReplayRecordSchema.parse((await kv.get(replayKeyOf(m3)))?.json());
    expect(stored).toMatchObject({ seq: 4, from: FROM, sessionId: session, expiry: NOW + 30_000 });
  });

  it("forgets entries whose messages expired (bounded by expiry)", async () => {
    const name = uniqueName("replay");
    const c = createKvReplayCache({ kv: await scope.bucket(await scope.connect(), name) });
    await accept(c, msg(7, { expiry: NOW + 10 }));
    await accept(c, msg(0, { sessionId: randomBytes32(), expiry: NOW + 50_000 }));
    const later = createKvReplayCache({ kv: await scope.bucket(await scope.connect(), name) });
    expect(await later.load(NOW + 20)).toBe(1);
    // The expired session's entry is gone in memory, and the store lets a new writer replace it.
    const m = msg(1, { expiry: NOW + 40_000 });
    later.check(m, NOW + 20);
    later.record(m, NOW + 20);
    await later.commit(m, NOW + 20);
  });

  it("lets exactly one of two processes accept the same message (compare-and-swap)", async () => {
    const name = uniqueName("replay");
    for (let i = 0; i < 10; i++) {
      const a = createKvReplayCache({ kv: await scope.bucket(await scope.connect(), name) });
      const b = createKvReplayCache({ kv: await scope.bucket(await scope.connect(), name) });
      await Promise.all([a.load(NOW), b.load(NOW)]);
      const m = msg(10 + i);
      const results = await Promise.allSettled([accept(a, m), accept(b, m)]);
      const won = results.filter((r) => r.status === "fulfilled");
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0]!.reason).toBeInstanceOf(ReplayError);
      expect((lost[0]!.reason as ReplayError).context).toMatchObject({ from: FROM, seq: 10 + i });
    }
  });

  it("serialises commits of one session and commits many sessions concurrently", async () => {
    const kv = await scope.bucket(await scope.connect(), uniqueName("replay"));
    const c = createKvReplayCache({ kv });
    const msgs = Array.from({ length: 20 }, (_, i) =>
      msg(i, { sessionId: i % 2 ? session : randomBytes32() }),
    );
    for (const m of msgs) {
      c.check(m, NOW);
      c.record(m, NOW);
    }
    await Promise.all(msgs.map((m) => c.commit(m, NOW)));
    const reloaded = createKvReplayCache({ kv });
    expect(await reloaded.load(NOW)).toBe(11);
    expect(refuses(reloaded, msg(19)).reason).toBe("stale-seq");
  });

  it("refuses with ReplayStoreUnavailable when the store cannot be written", async () => {
    const nc = await scope.connect();
    const c = createKvReplayCache({ kv: await scope.bucket(nc, uniqueName("replay")) });
    await nc.close();
    const m = msg(1);
    c.check(m, NOW);
    c.record(m, NOW);
    const err = await c.commit(m, NOW).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayStoreUnavailableError);
    expect((err as ReplayStoreUnavailableError).code).toBe("ReplayStoreUnavailable");
  });

  it("keys are <from>.<sessionId>, lowercase", () => {
    expect(replayKeyOf({ from: FROM, sessionId: `0x${"AB".repeat(32)}` as Hex })).toBe(
      `${FROM.toLowerCase()}.0x${"ab".repeat(32)}`,
    );
  });
});
