import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../../core/log.ts";
import { createEndpoint, createMemorySequencer } from "../endpoint.ts";
import { createPeerRegistry } from "../peers.ts";
import { createInProcessBus } from "../transport/index.ts";
import { newSigner, sessionIdOf, testDomain } from "../wire/fixtures.ts";
import type { SessionMessage } from "../wire/schemas.ts";
import { InvalidKeyError } from "./errors.ts";
import { createKvScope, randomBytes32, uniqueName } from "./fixtures.ts";
import { createKvSequencer, SequenceLeaseSchema } from "./kv-sequencer.ts";

const scope = createKvScope();
afterEach(() => scope.cleanup());

async function take(
  seq: { next(id: `0x${string}`): number | Promise<number> },
  id: `0x${string}`,
  n: number,
) {
  return Promise.all(Array.from({ length: n }, () => seq.next(id)));
}

describe("createKvSequencer", () => {
  it("hands out 0, 1, 2, ... leasing a block per KV write, synchronously within a block", async () => {
    const nc = await scope.connect();
    const kv = await scope.bucket(nc, uniqueName("seq"));
    const seq = createKvSequencer({ kv, blockSize: 4 });
    const id = randomBytes32();
    const first = seq.next(id);
    expect(first).toBeInstanceOf(Promise);
    expect(await first).toBe(0);
    expect([seq.next(id), seq.next(id), seq.next(id)]).toEqual([1, 2, 3]); // same block: no I/O
    expect(await seq.next(id)).toBe(4); // new lease
    const stored = SequenceLeaseSchema.parse((await kv.get(id))?.json());
    expect(stored).toEqual({ v: 1, next: 8 });
    // Another session starts at 0.
    expect(await seq.next(randomBytes32())).toBe(0);
  });

  it("resolves concurrent calls of one session in call order, across lease boundaries", async () => {
    const nc = await scope.connect();
    const seq = createKvSequencer({ kv: await scope.bucket(nc, uniqueName("seq")), blockSize: 3 });
    const id = randomBytes32();
    const order: number[] = [];
    const all = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const n = await seq.next(id);
        order.push(n);
        return n;
      }),
    );
    expect(all).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(order).toEqual(all);
  });

  it("continues above every number handed out after a restart (new connection, new sequencer)", async () => {
    const name = uniqueName("seq");
    const id = randomBytes32();
    const before = createKvSequencer({ kv: await scope.bucket(await scope.connect(), name), blockSize: 5 });
    const used = await take(before, id, 7); // 0..6, lease up to 10
    const after = createKvSequencer({ kv: await scope.bucket(await scope.connect(), name), blockSize: 5 });
    const next = await after.next(id);
    expect(next).toBeGreaterThan(Math.max(...used));
    expect(next).toBe(10);
    // A memory sequencer would have restarted at 0 (what peers refuse as stale-seq).
    expect(createMemorySequencer().next(id)).toBe(0);
  });

  it("never hands out one number twice, even to two processes at once (compare-and-swap)", async () => {
    const name = uniqueName("seq");
    const id = randomBytes32();
    const a = createKvSequencer({ kv: await scope.bucket(await scope.connect(), name), blockSize: 2 });
    const b = createKvSequencer({ kv: await scope.bucket(await scope.connect(), name), blockSize: 2 });
    const got = (await Promise.all([take(a, id, 30), take(b, id, 30)])).flat();
    expect(new Set(got).size).toBe(60);
  });

  it("forget drops the session: it starts again at 0", async () => {
    const kv = await scope.bucket(await scope.connect(), uniqueName("seq"));
    const seq = createKvSequencer({ kv });
    const id = randomBytes32();
    await take(seq, id, 3);
    await seq.forget(id);
    expect(await kv.get(id)).toMatchObject({ operation: "PURGE" });
    expect(await createKvSequencer({ kv }).next(id)).toBe(0);
  });

  it("refuses a session id that is not bytes32, and a bad block size", async () => {
    const kv = await scope.bucket(await scope.connect(), uniqueName("seq"));
    expect(() => createKvSequencer({ kv }).next("0x1234")).toThrow(InvalidKeyError);
    expect(() => createKvSequencer({ kv, blockSize: 0 })).toThrow(RangeError);
  });

  it("rejects the call (and hands out nothing) when the store fails", async () => {
    const nc = await scope.connect();
    const seq = createKvSequencer({ kv: await scope.bucket(nc, uniqueName("seq")) });
    await nc.close();
    await expect(seq.next(randomBytes32())).rejects.toThrow();
  });
});

describe("createEndpoint with a KV sequencer", () => {
  it("sends concurrent messages of one session in seq order, none refused by the peer", async () => {
    const kv = await scope.bucket(await scope.connect(), uniqueName("seq"));
    const bus = createInProcessBus();
    const a = newSigner();
    const b = newSigner();
    const peers = createPeerRegistry([
      { address: a.address, name: "a", protocol: "lending" },
      { address: b.address, name: "b", protocol: "amm" },
    ]);
    const log = createLogger({ level: "silent" });
    const common = { domain: testDomain, peers, log };
    const sender = createEndpoint({
      ...common,
      transport: bus.createTransport(),
      signer: a,
      sequencer: createKvSequencer({ kv, blockSize: 3 }),
    });
    const receiver = createEndpoint({ ...common, transport: bus.createTransport(), signer: b });
    const got: SessionMessage[] = [];
    receiver.onMessage((m) => void got.push(m));
    const sessionId = sessionIdOf("order");
    const sent = await Promise.all(
      Array.from({ length: 30 }, (_, i) => sender.send(b.address, sessionId, "reject", { reason: `r${i}` })),
    );
    await bus.flush();
    expect(sent.map((s) => s.message.seq)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(got.map((m) => m.seq)).toEqual(sent.map((s) => s.message.seq));
    expect(receiver.stats()).toMatchObject({ accepted: 30, rejected: 0 });
  });
});
