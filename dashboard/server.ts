/**
 * The dashboard's server: subscribes to the negotiation subjects, the agents' status and the risk
 * loop's feeds on NATS, follows the arbiter on chain, folds all of it into one DashboardState, and
 * pushes it to every open page by server-sent events: a snapshot when a page connects, then patches
 * of the rows that changed. Patches leave at most every `flushMs` (default 50 ms): the first change
 * after a quiet spell goes at once, a burst is sent as one patch, so 100 agents' traffic costs the
 * page at most 20 updates a second. It can record its inputs (JSON lines) and replay a recording.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createInterface } from "node:readline";
import type { NatsConnection, NodeConnectionOptions, Subscription } from "@nats-io/transport-node";
import { connect } from "@nats-io/transport-node";
import type { Address } from "viem";
import { createArbiterReadClients } from "../arbitration/clients.ts";
import type { ArbiterDomain } from "../core/agreement.ts";
import { createLogger, type Logger } from "../core/log.ts";
import { SUBJECT_PREFIX } from "../negotiation/wire/subjects.ts";
import { AgentStatusSchema, STATUS_WILDCARD } from "../operator/agent-status.ts";
import { createChainPeerRegistry } from "../operator/chain-peer-registry.ts";
import { buildClient, type ClientAssets } from "./build-client.ts";
import { watchChain } from "./chain-watch.ts";
import { DashboardState } from "./dashboard-state.ts";
import { DASHBOARD_INPUT_VERSION, type DashboardInput, type RecordedInput } from "./inputs.ts";
import { observeWire } from "./observe-wire.ts";
import type { RiskFeed } from "./risk-feed.ts";
import { createRiskLoopFeed } from "./risk-loop-feed.ts";
import type { Patch } from "./view-model.ts";

export type StartDashboardParameters = {
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  nats?: { servers: string | string[]; connectOptions?: Omit<NodeConnectionOptions, "servers"> };
  chain?: { rpcUrl: string; arbiter: Address; pollMs?: number };
  /** Check signatures in this domain without following a chain (with `chain`, it is the chain's). */
  domain?: ArbiterDomain;
  /** The risk loop's feeds. Default with `chain`: the agents' risk subjects on that chain, counting
   *  the messages of the agents registered on the arbiter (risk-loop-feed.ts). */
  riskFeeds?: readonly RiskFeed[];
  /** Append every input to this file (JSON lines) as it arrives. */
  record?: string;
  /** Instead of NATS and chain: play a recording, `speed` times as fast (default 1). */
  replay?: { file: string; speed?: number };
  flushMs?: number;
  /** Put the id of every wire message into the patches (for latency measurements). */
  trace?: boolean;
  log?: Logger;
};

export type Dashboard = {
  url: string;
  state: DashboardState;
  /** Feeds an input as if it had arrived now (tests, embedding). */
  feed(input: DashboardInput): void;
  /** Open pages. */
  pages(): number;
  /** Resolves when a replay has played everything. */
  replayed: Promise<void>;
  stop(): Promise<void>;
};

const RISK_SUBJECT_PREFIX = `${SUBJECT_PREFIX}.risk.`;

export async function startDashboard(p: StartDashboardParameters): Promise<Dashboard> {
  const log = p.log ?? createLogger();
  const state = new DashboardState({ trace: p.trace ?? false });
  const flushMs = p.flushMs ?? 50;
  const source: Patch["source"] = p.replay ? "replay" : "live";
  const pages = new Set<ServerResponse>();
  const assets: ClientAssets = await buildClient();
  let recorder: WriteStream | undefined;
  if (p.record) recorder = createWriteStream(p.record, { flags: "a" });
  /** The clock patches carry: now, or the recording's time during a replay. */
  let clock = () => Date.now();

  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastFlush = 0;
  const send = (patch: Patch) => {
    const frame = `data: ${JSON.stringify(patch)}\n\n`;
    for (const res of pages) {
      // A page that cannot keep up reconnects (EventSource does) and starts from a fresh snapshot.
      if (res.writableLength > 8 * 1024 * 1024) res.destroy();
      else res.write(frame);
    }
  };
  const flush = () => {
    timer = undefined;
    lastFlush = Date.now();
    send(state.patch(clock(), source));
  };
  const schedule = () => {
    if (timer) return;
    timer = setTimeout(flush, Math.max(0, lastFlush + flushMs - Date.now()));
  };
  const heartbeat = setInterval(() => {
    if (!timer) flush();
  }, 1_000);
  heartbeat.unref();

  const feed = (input: DashboardInput, at = clock()) => {
    state.apply(input, at);
    if (recorder) {
      const line: RecordedInput = { v: DASHBOARD_INPUT_VERSION, at, input };
      recorder.write(`${JSON.stringify(line)}\n`);
    }
    schedule();
  };

  // ---- live sources ----
  let nc: NatsConnection | undefined;
  const subs: Subscription[] = [];
  let chain: ReturnType<typeof watchChain> | undefined;
  let riskFeeds: readonly RiskFeed[] = [];
  let stopRegistry = () => {};
  let replayed = Promise.resolve();
  if (p.replay) {
    replayed = replay(
      p.replay.file,
      p.replay.speed ?? 1,
      (input, at) => {
        clock = () => at;
        feed(input, at);
      },
      log,
    );
  } else {
    let domain: ArbiterDomain | undefined = p.domain;
    riskFeeds = p.riskFeeds ?? [];
    if (p.chain) {
      const chainId = await createArbiterReadClients({ rpcUrl: p.chain.rpcUrl }).public.getChainId();
      domain = { chainId, verifyingContract: p.chain.arbiter };
      chain = watchChain({ ...p.chain, onInput: (i) => feed(i), log });
      if (!p.riskFeeds) {
        const registry = await createChainPeerRegistry({
          clients: createArbiterReadClients({ rpcUrl: p.chain.rpcUrl }),
          arbiter: p.chain.arbiter,
          refreshMs: p.chain.pollMs ?? 2_000,
          log,
        });
        stopRegistry = () => registry.stop();
        riskFeeds = [createRiskLoopFeed({ domain, peers: registry })];
      }
    }
    if (p.nats) {
      nc = await connect({ ...p.nats.connectOptions, servers: p.nats.servers, name: "dashboard" });
      subs.push(
        nc.subscribe(`${SUBJECT_PREFIX}.>`, {
          callback: (_err, msg) => {
            // Risk messages are the risk feeds' (below), not negotiation traffic to refuse.
            if (msg.subject.startsWith(RISK_SUBJECT_PREFIX)) return;
            const input = observeWire(msg.data, domain);
            if (input) feed(input);
            else {
              state.refuse();
              schedule();
            }
          },
        }),
        nc.subscribe(STATUS_WILDCARD, {
          callback: (_err, msg) => {
            let json: unknown;
            try {
              json = msg.json();
            } catch {
              return;
            }
            const status = AgentStatusSchema.safeParse(json);
            if (status.success) feed({ type: "status", status: status.data });
            else log.debug("agent status refused", { subject: msg.subject });
          },
        }),
      );
      for (const riskFeed of riskFeeds) {
        for (const subject of riskFeed.subjects) {
          subs.push(
            nc.subscribe(subject, {
              callback: (_err, msg) => {
                for (const input of riskFeed.decode(msg.subject, msg.data)) feed(input);
              },
            }),
          );
        }
      }
      await nc.flush();
    }
  }

  // ---- HTTP ----
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        connection: "keep-alive",
      });
      res.write(`retry: 1000\ndata: ${JSON.stringify(state.snapshot(clock(), source))}\n\n`);
      pages.add(res);
      req.on("close", () => pages.delete(res));
      return;
    }
    if (path === "/api/state") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(state.snapshot(clock(), source)));
      return;
    }
    const asset = assets.files.get(path === "/" ? "/index.html" : path);
    if (!asset) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("not found");
      return;
    }
    res.writeHead(200, { "content-type": asset.type, "cache-control": "no-cache" });
    res.end(asset.body);
  });
  await new Promise<void>((resolve) => server.listen(p.port ?? 0, p.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://${p.host ?? "127.0.0.1"}:${port}`;
  log.info("dashboard listening", {
    url,
    source,
    nats: p.nats ? [p.nats.servers].flat() : null,
    arbiter: p.chain?.arbiter ?? null,
  });

  let stopped: Promise<void> | undefined;
  return {
    url,
    state,
    feed: (input) => feed(input),
    pages: () => pages.size,
    replayed,
    stop: () => {
      stopped ??= (async () => {
        clearInterval(heartbeat);
        if (timer) clearTimeout(timer);
        chain?.stop();
        stopRegistry();
        for (const s of subs) s.unsubscribe();
        await nc?.close();
        for (const res of pages) res.end();
        pages.clear();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await new Promise<void>((resolve) => (recorder ? recorder.end(resolve) : resolve()));
      })();
      return stopped;
    },
  };
}

/** Plays a recording: each input at its recorded offset from the first, divided by `speed`. */
async function replay(
  file: string,
  speed: number,
  feed: (input: DashboardInput, at: number) => void,
  log: Logger,
): Promise<void> {
  const lines = createInterface({
    input: createReadStream(file, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let first: number | undefined;
  const started = Date.now();
  let n = 0;
  for await (const text of lines) {
    if (!text.trim()) continue;
    let line: RecordedInput;
    try {
      line = JSON.parse(text) as RecordedInput;
    } catch {
      log.warn("replay: skipped a line that is not JSON", { line: n + 1 });
      continue;
    }
    n++;
    if (line.v !== DASHBOARD_INPUT_VERSION || typeof line.at !== "number" || !line.input) continue;
    first ??= line.at;
    const due = started + (line.at - first) / speed;
    const wait = due - Date.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    feed(line.input, line.at);
  }
  log.info("replay finished", { inputs: n });
}
