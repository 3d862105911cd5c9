/**
 * `npm run bench:dashboard [-- --duration 10 --concurrency 1 --pairs 50]`: how fast the dashboard
 * shows what 100 agents do. The 100 agents of the throughput benchmark (50 lenders, 50 borrowers,
 * each agent its own NATS connection, closed-loop negotiations) run in this process on a private
 * nats-server. Two observers run in processes of their own:
 *
 *   baseline   a bare NATS subscriber on liq.v0.> (bench/nats-tap.ts): publish -> delivered
 *   dashboard  `dashboard/cli.ts` (parsing and signature checks on, patches every <= 50 ms, SSE)
 *              with its page open in Chromium: publish -> the page has drawn it
 *
 * For every wire message published inside the measured window: its publish time here, its arrival
 * at the tap, and the time the page finished the frame that drew it (the page's ?trace mode). All
 * are epoch ms on this machine's clock. Writes bench/results/dashboard.json.
 */
import { type ChildProcess, fork, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { freePort } from "../arbitration/anvil.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createNatsTransport } from "../negotiation/transport/nats.ts";
import type { Transport } from "../negotiation/transport/transport.ts";
import { benchNats, machineInfo, progress } from "./env.ts";
import { benchDomain, benchSigner, pairToken, rfqFor } from "./fixtures.ts";
import { type Borrower, createBorrower, createLender, type Party, Tracker } from "./parties.ts";
import { formatJson, quantile, rounded } from "./stats.ts";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => performance.timeOrigin + performance.now();

type Latency = { n: number; p50: number; p90: number; p99: number; max: number; mean: number };
function latency(xs: number[]): Latency {
  return {
    n: xs.length,
    p50: quantile(xs, 0.5),
    p90: quantile(xs, 0.9),
    p99: quantile(xs, 0.99),
    max: Math.max(...xs),
    mean: xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length),
  };
}

/** utime + stime of `pid` in ms (Linux). */
function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

function tsxChild(script: string, args: string[], ipc: boolean): ChildProcess {
  const execArgv = ["--import", "tsx"];
  return ipc
    ? fork(script, args, { execArgv, stdio: ["ignore", "ignore", "inherit", "ipc"] })
    : spawn(process.execPath, [...execArgv, script, ...args], { stdio: ["ignore", "ignore", "pipe"] });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      duration: { type: "string", default: "10" },
      warmup: { type: "string", default: "3" },
      pairs: { type: "string", default: "50" },
      concurrency: { type: "string", default: "1" },
      /** Paced load: each borrower starts a negotiation every this many seconds (0: back to back). */
      interval: { type: "string", default: "0" },
      out: { type: "string", default: "bench/results/dashboard.json" },
    },
  });
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM_PATH`);
  const pairs = Number(values.pairs);
  const concurrency = Number(values.concurrency);
  const durationMs = Number(values.duration) * 1000;
  const warmupMs = Number(values.warmup) * 1000;
  const intervalMs = Number(values.interval) * 1000;

  const nats = await benchNats({ own: true });
  const children: ChildProcess[] = [];
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    progress("dashboard bench: starting the tap and the dashboard");
    const tap = tsxChild("bench/nats-tap.ts", [nats.url], true);
    children.push(tap);
    await new Promise<void>((resolve) => tap.once("message", () => resolve()));
    const port = await freePort();
    const dash = tsxChild(
      "dashboard/cli.ts",
      [
        "--port",
        String(port),
        "--nats",
        nats.url,
        "--trace",
        "--chain-id",
        String(benchDomain.chainId),
        "--arbiter",
        benchDomain.verifyingContract,
      ],
      false,
    );
    children.push(dash);
    const url = `http://127.0.0.1:${port}/?trace`;
    for (let i = 0; ; i++) {
      if ((await fetch(`http://127.0.0.1:${port}/api/state`).catch(() => undefined))?.ok) break;
      if (i > 200) throw new Error("the dashboard did not start");
      await sleep(50);
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(url);
    await page.locator("#connection", { hasText: "connected" }).waitFor();

    progress(`dashboard bench: ${2 * pairs} agents, each its own NATS connection`);
    const published = new Map<string, number>();
    let measuring = false;
    const traced = (t: Transport): Transport => ({
      ...t,
      name: t.name,
      get closed() {
        return t.closed;
      },
      publish(subject, data) {
        if (measuring) {
          const m = JSON.parse(new TextDecoder().decode(data)) as {
            from: string;
            sessionId: string;
            seq: number;
          };
          published.set(`${m.from}:${m.sessionId}:${m.seq}`.toLowerCase(), now());
        }
        return t.publish(subject, data);
      },
    });
    const lenderSigners = Array.from({ length: pairs }, (_, i) => benchSigner(`lender-${i}`));
    const borrowerSigners = Array.from({ length: pairs }, (_, i) => benchSigner(`borrower-${i}`));
    const peers = createPeerRegistry([
      ...lenderSigners.map((s, i) => ({
        address: s.address,
        name: `lender-${i}`,
        protocol: "lending" as const,
      })),
      ...borrowerSigners.map((s, i) => ({
        address: s.address,
        name: `borrower-${i}`,
        protocol: "perp" as const,
      })),
    ]);
    const transports = await Promise.all(
      Array.from({ length: 2 * pairs }, (_, i) =>
        createNatsTransport({ servers: nats.url, name: `agent-${i}` }),
      ),
    );
    const tracker = new Tracker();
    const lenders: Party[] = lenderSigners.map((signer, i) =>
      createLender({ transport: traced(transports[i]!), signer, peers, tracker, tokens: [pairToken(i)] }),
    );
    const borrowers: Borrower[] = borrowerSigners.map((signer, i) =>
      createBorrower({ transport: traced(transports[pairs + i]!), signer, peers, tracker }),
    );
    await Promise.all([...lenders, ...borrowers].map((a) => a.endpoint.flush()));

    let running = true;
    let concluded = 0;
    const loops = borrowers.flatMap((b, i) =>
      Array.from({ length: concurrency }, async (_, k) => {
        await sleep(((k * pairs + i) / (pairs * concurrency)) * (warmupMs / 2));
        while (running) {
          const started = Date.now();
          if ((await b.negotiate(rfqFor(pairToken(i)))).agreed && measuring) concluded++;
          if (intervalMs > 0) await sleep(Math.max(0, started + intervalMs - Date.now()));
        }
      }),
    );
    await sleep(warmupMs);
    progress(`dashboard bench: measuring for ${durationMs / 1000} s`);
    const dashCpu0 = cpuMs(dash.pid);
    const t0 = now();
    measuring = true;
    await sleep(durationMs);
    measuring = false;
    const windowMs = now() - t0;
    const dashCpu = (cpuMs(dash.pid) ?? Number.NaN) - (dashCpu0 ?? Number.NaN);
    running = false;
    await Promise.race([Promise.all(loops), sleep(15_000)]);
    await sleep(1_000); // the last patches reach the page

    const arrivals = await new Promise<Array<[string, number]>>((resolve) => {
      tap.once("message", (m) => resolve((m as { arrivals: Array<[string, number]> }).arrivals));
      tap.send("collect");
    });
    // The page's globals (dashboard/client/main.ts), read in the browser.
    const rendered = (await page.evaluate("window.__rendered ?? []")) as Array<
      [string, number, number, number]
    >;
    const patches = (await page.evaluate("window.__patches ?? 0")) as number;
    const pageCost = await page.evaluate("window.__cost");
    const rows = await page.locator("#agents .tabulator-row").count();
    const served = (await (await fetch(`http://127.0.0.1:${port}/api/state`)).json()) as {
      metrics: { messages: number; refused: number; agents: number };
    };

    const tapAt = new Map(arrivals);
    const pageAt = new Map(rendered.map(([id, drawn]) => [id, drawn]));
    const patchAt = new Map(rendered.map(([id, , sent]) => [id, sent]));
    const receivedAt = new Map(rendered.map(([id, , , received]) => [id, received]));
    const inServer: number[] = [];
    const toPage: number[] = [];
    const raw: number[] = [];
    const shown: number[] = [];
    let missingRaw = 0;
    let missingPage = 0;
    for (const [id, t] of published) {
      const a = tapAt.get(id);
      const r = pageAt.get(id);
      if (a === undefined) missingRaw++;
      else raw.push(a - t);
      if (r === undefined) missingPage++;
      else {
        shown.push(r - t);
        inServer.push(patchAt.get(id)! - t);
        toPage.push(receivedAt.get(id)! - t);
      }
    }
    const result = {
      benchmark: "dashboard update latency",
      machine: machineInfo(),
      nats: { source: nats.source, serverVersion: nats.serverVersion },
      agents: 2 * pairs,
      concurrencyPerBorrower: concurrency,
      load:
        intervalMs > 0
          ? `paced: a negotiation per borrower every ${intervalMs / 1000} s`
          : "closed loop: back to back",
      windowMs: rounded(windowMs),
      messages: published.size,
      messagesPerSecond: rounded((published.size * 1000) / windowMs),
      negotiationsConcluded: concluded,
      baselineRawNatsMs: latency(raw),
      dashboardToScreenMs: latency(shown),
      publishToPatchMs: latency(inServer),
      publishToPageMs: latency(toPage),
      ratioP50: rounded(quantile(shown, 0.5) / quantile(raw, 0.5)),
      addedP50Ms: rounded(quantile(shown, 0.5) - quantile(raw, 0.5)),
      addedP99Ms: rounded(quantile(shown, 0.99) - quantile(raw, 0.99)),
      missing: { baseline: missingRaw, dashboard: missingPage },
      dashboardSaw: served.metrics,
      page: {
        patchesReceived: patches,
        agentRowsDrawn: rows,
        rendered: rendered.length,
        costMs: pageCost,
        errors: pageErrors.slice(0, 5),
      },
      dashboardProcessCpuShare: rounded(dashCpu / windowMs),
      definitions: {
        baselineRawNatsMs:
          "agent's transport.publish -> a bare subscriber in another process has the message (JSON parse of 3 fields)",
        dashboardToScreenMs:
          "agent's transport.publish -> the page has drawn the frame containing it: dashboard process (wire schemas, signature recovery, state, patch every <= 50 ms), SSE, page (JSON, Tabulator/uPlot updates in a requestAnimationFrame)",
        publishToPageMs:
          "agent's transport.publish -> the page's EventSource handed it the patch that carries it",
        publishToPatchMs:
          "agent's transport.publish -> the dashboard server stamps the patch that carries it (Date.now())",
        dashboardProcessCpuShare: "dashboard process CPU time / window (1 = one core)",
      },
    };
    mkdirSync(join(values.out, ".."), { recursive: true });
    writeFileSync(values.out, formatJson(result));
    const f = (l: Latency) =>
      `p50 ${rounded(l.p50)} ms, p90 ${rounded(l.p90)}, p99 ${rounded(l.p99)}, max ${rounded(l.max)} (n ${l.n})`;
    process.stdout.write(
      [
        `dashboard latency, ${2 * pairs} agents (${result.load}), ${result.messagesPerSecond} wire messages/s, ${concluded} negotiations in ${rounded(windowMs / 1000)} s`,
        `  baseline (raw NATS delivery)   ${f(result.baselineRawNatsMs)}`,
        `  dashboard (publish -> drawn)   ${f(result.dashboardToScreenMs)}`,
        `    publish -> patch sent         ${f(result.publishToPatchMs)}`,
        `    publish -> page has the patch ${f(result.publishToPageMs)}`,
        `  added at p50 ${result.addedP50Ms} ms, at p99 ${result.addedP99Ms} ms; dashboard process CPU ${result.dashboardProcessCpuShare} of a core; page rows ${rows}, patches ${patches}`,
        `  written to ${values.out}`,
        "",
      ].join("\n"),
    );
    await Promise.all([...lenders, ...borrowers].map((a) => a.close()));
    await Promise.all(transports.map((t) => t.close()));
  } finally {
    await browser.close();
    for (const c of children) c.kill("SIGTERM");
    await nats.stop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
