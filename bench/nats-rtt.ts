/**
 * Benchmark 2, the transport baselines on loopback: NATS request/reply round trips with
 * @nats-io/transport-node (a responder echoing a payload the size of our messages, ~1 KB),
 * between two connections (how two agents talk) and on one connection; a publish/subscribe
 * ping-pong between two connections (the pattern the endpoint uses: each side publishes to the
 * other's subject); the in-process bus's ping-pong, the reference for the in-process
 * negotiation; and pipelined publish -> receive, the NATS client's CPU cost per message when
 * nobody waits. The three NATS round trips are interleaved sample by sample, so load drift on
 * the machine hits them alike.
 */
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { progress } from "./env.ts";
import { type Summary, summarize } from "./stats.ts";

export type NatsRttResult = {
  payloadBytes: number;
  /** Round trip, ms: request/reply between two connections. The baseline of the overhead ratio. */
  requestReply: Summary;
  requestReplySameConnection: Summary;
  /** Round trip, ms: A publishes to B's subject, B publishes back to A's (two connections). */
  pubSubPingPong: Summary;
  /** Round trip, ms, on the in-process bus (two transports). */
  inProcessPingPong: Summary;
  /** Pipelined publish on one connection, received on another in this process. */
  pipelined: { messages: number; perMessageUs: number; messagesPerSecond: number };
};

/** Raw round trips on two dedicated NATS connections, for use next to other measurements. */
export type RttProbe = {
  /** One request/reply round trip between the two connections, ms. */
  requestReply(): Promise<number>;
  /** The same on one connection, ms. */
  requestReplySameConnection(): Promise<number>;
  /** One publish -> publish-back round trip between the two connections, ms. */
  pingPong(): Promise<number>;
  close(): Promise<void>;
};

let probes = 0;

export async function createRttProbe(url: string, payloadBytes: number): Promise<RttProbe> {
  const id = ++probes;
  const payload = new Uint8Array(payloadBytes).fill(0x61);
  const a: NatsConnection = await connect({ servers: url, name: `bench-rtt-a-${id}` });
  const b: NatsConnection = await connect({ servers: url, name: `bench-rtt-b-${id}` });
  const s = `bench.rtt.${process.pid}.${id}`;
  b.subscribe(`${s}.echo`, { callback: (_err, msg) => void msg.respond(msg.data) });
  a.subscribe(`${s}.self`, { callback: (_err, msg) => void msg.respond(msg.data) });
  let pong: (() => void) | undefined;
  b.subscribe(`${s}.ping`, { callback: (_err, msg) => b.publish(`${s}.pong`, msg.data) });
  a.subscribe(`${s}.pong`, { callback: () => pong?.() });
  await Promise.all([a.flush(), b.flush()]);
  const timed = async (f: () => Promise<unknown>) => {
    const t0 = performance.now();
    await f();
    return performance.now() - t0;
  };
  return {
    requestReply: () => timed(() => a.request(`${s}.echo`, payload, { timeout: 5000 })),
    requestReplySameConnection: () => timed(() => a.request(`${s}.self`, payload, { timeout: 5000 })),
    pingPong: () =>
      timed(
        () =>
          new Promise<void>((resolve) => {
            pong = resolve;
            a.publish(`${s}.ping`, payload);
          }),
      ),
    close: async () => {
      await Promise.all([a.close(), b.close()]);
    },
  };
}

/** In-process bus ping-pong round trip, ms. */
export function createBusProbe(payloadBytes: number): { pingPong(): Promise<number> } {
  const payload = new Uint8Array(payloadBytes).fill(0x61);
  const bus = createInProcessBus();
  const ta = bus.createTransport({ name: "probe-a" });
  const tb = bus.createTransport({ name: "probe-b" });
  let pong: (() => void) | undefined;
  tb.subscribe("bench.ping", (data) => tb.publish("bench.pong", data));
  ta.subscribe("bench.pong", () => pong?.());
  return {
    pingPong: async () => {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        pong = resolve;
        void ta.publish("bench.ping", payload);
      });
      return performance.now() - t0;
    },
  };
}

export type BenchNatsRttParameters = { url: string; payloadBytes: number; samples?: number };

export async function benchNatsRtt(p: BenchNatsRttParameters): Promise<NatsRttResult> {
  const n = p.samples ?? 3000;
  const probe = await createRttProbe(p.url, p.payloadBytes);
  try {
    progress(`nats: round trips (request/reply x2, ping-pong), ${n} each, ${p.payloadBytes} B, interleaved`);
    const rr: number[] = [];
    const rrSame: number[] = [];
    const pp: number[] = [];
    for (let i = 0; i < 300; i++) {
      await probe.requestReply();
      await probe.requestReplySameConnection();
      await probe.pingPong();
    }
    for (let i = 0; i < n; i++) {
      rr.push(await probe.requestReply());
      rrSame.push(await probe.requestReplySameConnection());
      pp.push(await probe.pingPong());
    }

    progress("nats: pipelined publish -> receive");
    const pipelined = await pipeline(p.url, p.payloadBytes);

    progress("nats: in-process bus ping-pong");
    const bus = createBusProbe(p.payloadBytes);
    for (let i = 0; i < 300; i++) await bus.pingPong();
    const busRtt: number[] = [];
    for (let i = 0; i < n; i++) busRtt.push(await bus.pingPong());

    return {
      payloadBytes: p.payloadBytes,
      requestReply: summarize(rr),
      requestReplySameConnection: summarize(rrSame),
      pubSubPingPong: summarize(pp),
      inProcessPingPong: summarize(busRtt),
      pipelined,
    };
  } finally {
    await probe.close();
  }
}

async function pipeline(url: string, payloadBytes: number): Promise<NatsRttResult["pipelined"]> {
  const payload = new Uint8Array(payloadBytes).fill(0x61);
  const a = await connect({ servers: url, name: "bench-pipe-a" });
  const b = await connect({ servers: url, name: "bench-pipe-b" });
  try {
    const messages = 50_000;
    let received = 0;
    let allIn: (() => void) | undefined;
    const done = new Promise<void>((resolve) => {
      allIn = resolve;
    });
    b.subscribe(`bench.pipe.${process.pid}`, {
      callback: () => {
        if (++received === messages) allIn?.();
      },
    });
    await b.flush();
    const t0 = performance.now();
    for (let i = 0; i < messages; i++) {
      a.publish(`bench.pipe.${process.pid}`, payload);
      // Yield now and then so the client's outbound buffer drains as it would under real load.
      if ((i & 255) === 255) await new Promise((r) => setImmediate(r));
    }
    await done;
    const ms = performance.now() - t0;
    return { messages, perMessageUs: (ms * 1000) / messages, messagesPerSecond: messages / (ms / 1000) };
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}
