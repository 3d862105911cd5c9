/**
 * One suite, two transports: the in-process bus and a real NATS server must behave the same for
 * everything the negotiation layer relies on.
 */
import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { createMemoryLogger } from "../core/log.ts";
import {
  createInProcessBus,
  createNatsTransport,
  InvalidSubjectError,
  matchSubject,
  type Transport,
  TransportClosedError,
} from "../negotiation/transport/index.ts";
import { freePort, natsUrl, probeNats, resolveNats, startNatsServer } from "./harness/nats.ts";
import { until } from "./harness/until.ts";

type Pair = { a: Transport; b: Transport; log: ReturnType<typeof createMemoryLogger> };
type Kind = { name: string; pair(): Promise<Pair> };

const kinds: Kind[] = [
  {
    name: "in-process bus",
    async pair() {
      const log = createMemoryLogger();
      const bus = createInProcessBus({ log });
      return { a: bus.createTransport({ name: "a" }), b: bus.createTransport({ name: "b" }), log };
    },
  },
  {
    name: "NATS",
    async pair() {
      const log = createMemoryLogger();
      const a = await createNatsTransport({ servers: natsUrl(), name: "suite-a", log });
      const b = await createNatsTransport({ servers: natsUrl(), name: "suite-b", log });
      return { a, b, log };
    },
  },
];

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe("subject matching", () => {
  it.each([
    ["a.b.c", "a.b.c", true],
    ["a.*.c", "a.b.c", true],
    ["a.*", "a.b.c", false],
    ["a.>", "a.b.c", true],
    ["a.>", "a", false],
    ["*.>", "a.b", true],
    ["a.b", "a.b.c", false],
    ["a.b.c", "a.b", false],
  ])("%s vs %s -> %s", (pattern, subject, expected) => {
    expect(matchSubject(pattern, subject)).toBe(expected);
  });
});

describe.each(kinds)("transport: $name", (kind) => {
  let pair: Pair;
  // Unique per test so parallel files on the shared NATS server never see each other.
  let p: string;
  afterEach(async () => {
    await pair?.a.close();
    await pair?.b.close();
  });
  const setup = async () => {
    pair = await kind.pair();
    p = `suite.${randomBytes(6).toString("hex")}`;
    return pair;
  };

  it("delivers a published message to an exact subscription, with its subject", async () => {
    const { a, b } = await setup();
    const got: [string, string][] = [];
    b.subscribe(`${p}.x`, (data, subject) => void got.push([dec(data), subject]));
    await b.flush();
    await a.publish(`${p}.x`, enc("hello"));
    await a.flush();
    await until(() => got.length === 1);
    expect(got).toEqual([["hello", `${p}.x`]]);
  });

  it("carries arbitrary bytes unchanged", async () => {
    const { a, b } = await setup();
    const payload = new Uint8Array(randomBytes(4096));
    let got: Uint8Array | undefined;
    b.subscribe(`${p}.bin`, (data) => {
      got = new Uint8Array(data);
    });
    await b.flush();
    await a.publish(`${p}.bin`, payload);
    await until(() => got !== undefined);
    expect(got).toEqual(payload);
  });

  it("matches `*` to exactly one token and `>` to one or more", async () => {
    const { a, b } = await setup();
    const star: string[] = [];
    const tail: string[] = [];
    b.subscribe(`${p}.*`, (_d, s) => void star.push(s));
    b.subscribe(`${p}.>`, (_d, s) => void tail.push(s));
    await b.flush();
    for (const s of [`${p}.one`, `${p}.one.two`, `${p}.x.y.z`, `${p}.end`]) await a.publish(s, enc(s));
    await until(() => tail.length === 4 && star.length === 2);
    expect(star).toEqual([`${p}.one`, `${p}.end`]);
    expect(tail).toEqual([`${p}.one`, `${p}.one.two`, `${p}.x.y.z`, `${p}.end`]);
  });

  it("does not deliver non-matching subjects", async () => {
    const { a, b } = await setup();
    const got: string[] = [];
    b.subscribe(`${p}.rfq.*`, (d) => void got.push(dec(d)));
    await b.flush();
    await a.publish(`${p}.rfq.a.b`, enc("deeper"));
    await a.publish(`${p}.other`, enc("other"));
    await a.publish(`${p}.rfq.sentinel`, enc("sentinel"));
    await until(() => got.includes("sentinel"));
    expect(got).toEqual(["sentinel"]);
  });

  it("preserves order per publisher", async () => {
    const { a, b } = await setup();
    const got: number[] = [];
    b.subscribe(`${p}.seq`, (d) => void got.push(Number(dec(d))));
    await b.flush();
    for (let i = 0; i < 1000; i++) await a.publish(`${p}.seq`, enc(String(i)));
    await a.flush();
    await until(() => got.length === 1000);
    expect(got).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it("delivers asynchronously, never inside publish", async () => {
    const { a, b } = await setup();
    let calls = 0;
    b.subscribe(`${p}.async`, () => void calls++);
    a.subscribe(`${p}.async`, () => void calls++);
    await b.flush();
    await a.flush();
    a.publish(`${p}.async`, enc("x"));
    expect(calls).toBe(0);
    await until(() => calls === 2);
  });

  it("gives every subscription its own copy", async () => {
    const { a, b } = await setup();
    const got: string[] = [];
    b.subscribe(`${p}.fan`, (d) => {
      got.push(dec(d));
      d.fill(0);
    });
    b.subscribe(`${p}.fan`, (d) => void got.push(dec(d)));
    await b.flush();
    await a.publish(`${p}.fan`, enc("copy"));
    await until(() => got.length === 2);
    expect(got).toEqual(["copy", "copy"]);
  });

  it("stops delivery after unsubscribe", async () => {
    const { a, b } = await setup();
    const first: string[] = [];
    const sentinel: string[] = [];
    const sub = b.subscribe(`${p}.u`, (d) => void first.push(dec(d)));
    b.subscribe(`${p}.u`, (d) => void sentinel.push(dec(d)));
    await b.flush();
    await a.publish(`${p}.u`, enc("1"));
    await until(() => first.length === 1 && sentinel.length === 1);
    sub.unsubscribe();
    sub.unsubscribe(); // idempotent
    await b.flush();
    await a.publish(`${p}.u`, enc("2"));
    await until(() => sentinel.length === 2);
    expect(first).toEqual(["1"]);
  });

  it("keeps a subscription alive when its handler throws or rejects", async () => {
    const { a, b, log } = await setup();
    const got: string[] = [];
    b.subscribe(`${p}.boom`, (d) => {
      const s = dec(d);
      got.push(s);
      if (s === "throw") throw new Error("handler exploded");
      if (s === "reject") return Promise.reject(new Error("handler rejected"));
    });
    await b.flush();
    for (const s of ["throw", "reject", "fine"]) await a.publish(`${p}.boom`, enc(s));
    await until(() => got.length === 3);
    expect(got).toEqual(["throw", "reject", "fine"]);
    await until(() => log.lines.filter((l) => l.level === "error").length === 2, "error logs");
  });

  it("refuses invalid subjects", async () => {
    const { a } = await setup();
    expect(() => a.publish(`${p}.*`, enc("x"))).toThrow(InvalidSubjectError);
    expect(() => a.publish(`${p}..x`, enc("x"))).toThrow(InvalidSubjectError);
    expect(() => a.subscribe(`${p}.>.x`, () => {})).toThrow(InvalidSubjectError);
    expect(() => a.subscribe(`${p} x`, () => {})).toThrow(InvalidSubjectError);
  });

  it("close stops delivery and refuses further use", async () => {
    const { a, b } = await setup();
    const closedGot: string[] = [];
    const sentinel: string[] = [];
    b.subscribe(`${p}.c`, (d) => void closedGot.push(dec(d)));
    a.subscribe(`${p}.c`, (d) => void sentinel.push(dec(d)));
    await b.flush();
    await a.flush();
    await b.close();
    await b.close(); // idempotent
    expect(b.closed).toBe(true);
    expect(() => b.publish(`${p}.c`, enc("x"))).toThrow(TransportClosedError);
    expect(() => b.subscribe(`${p}.c`, () => {})).toThrow(TransportClosedError);
    await a.publish(`${p}.c`, enc("after"));
    await until(() => sentinel.length === 1);
    expect(closedGot).toEqual([]);
  });
});

describe("NATS transport across a server restart", () => {
  it("reconnects and keeps its subscriptions", async () => {
    const server = await startNatsServer({ jetstream: false });
    const log = createMemoryLogger();
    const opts = { servers: server.url, log, reconnectDelayMs: 20, maxReconnectDelayMs: 200 };
    const a = await createNatsTransport({ ...opts, name: "restart-a" });
    const b = await createNatsTransport({ ...opts, name: "restart-b" });
    try {
      const got: string[] = [];
      b.subscribe("restart.x", (d) => void got.push(dec(d)));
      await b.flush();
      a.publish("restart.x", enc("before"));
      await until(() => got.length === 1);

      await server.restart();
      await until(
        () => log.lines.filter((l) => l.msg === "nats reconnected").length === 2,
        "reconnect",
        15_000,
      );
      await b.flush();
      a.publish("restart.x", enc("after"));
      await a.flush();
      await until(() => got.length === 2);
      expect(got).toEqual(["before", "after"]);
      expect(log.lines.some((l) => l.msg === "nats disconnected")).toBe(true);
    } finally {
      await a.close();
      await b.close();
      await server.stop();
    }
  });
});

describe("test harness: resolving NATS", () => {
  it("fails, with install instructions, when NATS_URL does not answer", async () => {
    const dead = `nats://127.0.0.1:${await freePort()}`;
    await expect(resolveNats({ natsUrl: dead })).rejects.toThrow(
      /apt-get install nats-server[\s\S]*NATS_URL/,
    );
  });

  it("spawns nats-server (with JetStream) when nothing listens locally", async () => {
    const dead = `nats://127.0.0.1:${await freePort()}`;
    const { url, server } = await resolveNats({ natsUrl: undefined, localUrl: dead });
    try {
      expect(server).toBeDefined();
      expect(await probeNats(url)).toBe(true);
      const t = await createNatsTransport({ servers: url, name: "spawned" });
      const jsz = await t.connection.request("$JS.API.INFO");
      expect(jsz.json<{ type?: string; error?: unknown }>().error).toBeUndefined();
      await t.close();
    } finally {
      await server?.stop();
    }
    expect(await probeNats(url)).toBe(false);
  });

  it("fails, never skips, when no server runs and nats-server is not installed", async () => {
    const dead = `nats://127.0.0.1:${await freePort()}`;
    await expect(
      resolveNats({ natsUrl: undefined, localUrl: dead, binary: "/nonexistent/nats-server" }),
    ).rejects.toThrow(/no `\/nonexistent\/nats-server` on PATH[\s\S]*nats\.io/);
  });
});
