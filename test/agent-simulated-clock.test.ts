/**
 * A real agent's timers run on the clock it is given (issue 13: the simulator drives the shipped
 * agents step by step). Two real agents, lender A and borrower B, negotiate over the in-process bus
 * with real signatures and settle on the in-process ledger, all on one SimulatedClock. A borrower
 * whose RFQ nobody answers waits for its auction's window however much real time passes, and ends
 * only when the clock is advanced past it; a loan's deadline follows the clock, not the wall.
 */
import { keccak256, toHex } from "viem";
import { afterEach, describe, expect, it } from "vitest";
import { SimulatedClock } from "xstate";
import type { Activity, Agent } from "../agents/agent.ts";
import { createNonceAllocator } from "../core/agreement-nonce.ts";
import { createLogger } from "../core/log.ts";
import { createSigner } from "../core/signer.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { testDomain as domain, newSigner, USDC, WETH } from "../negotiation/wire/fixtures.ts";
import { nextActivity } from "./harness/activity.ts";
import { createLedgerChain, createTestAgent } from "./harness/fault-peers.ts";
import { until } from "./harness/until.ts";

const log = createLogger({ level: "silent" });
const tokens = { usdc: USDC, weth: WETH };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Seeded sources of ids for one agent: session ids, envelope nonces, agreement nonces. */
function seeded(name: string) {
  let n = 0;
  const next = () => keccak256(toHex(`${name}:${n++}`));
  return { newSessionId: next, newNonce: next, nonces: createNonceAllocator({ start: 1n << 8n }) };
}

/** Lender A and borrower B (real agents) on `clock`; `withLender: false` registers A but never
 *  starts it. With `seed`, fixed keys and seeded ids: a run repeats byte for byte. */
async function setUp(clock: SimulatedClock, withLender: boolean, seed?: string) {
  const a = seed ? createSigner(keccak256(toHex(`${seed}:A`))) : newSigner();
  const b = seed ? createSigner(keccak256(toHex(`${seed}:B`))) : newSigner();
  const peers = createPeerRegistry([
    { address: a.address, name: "A", protocol: "lending" },
    { address: b.address, name: "B", protocol: "perp" },
  ]);
  const chain = createLedgerChain(domain, tokens, [a.address, b.address]);
  const bus = createInProcessBus({ log });
  // Every message on the bus, in delivery order: the run's wire transcript.
  const wire: string[] = [];
  const tap = bus.createTransport({ name: "tap" });
  tap.subscribe(">", (data, subject) => {
    wire.push(`${subject} ${Buffer.from(data).toString("hex")}`);
  });
  const activity: Activity[] = [];
  const record = (agent: Agent) => agent.onActivity((x) => activity.push(x));
  if (withLender) {
    const lender = await createTestAgent({
      role: "lender",
      name: "A",
      signer: a,
      domain,
      transport: bus.createTransport({ name: "A" }),
      peers,
      settlement: chain.portFor(a.address),
      tokens,
      clock,
      ...(seed ? seeded(`${seed}:A`) : {}),
      log,
    });
    record(lender.agent);
    cleanups.push(async () => {
      await lender.agent.stop();
      await lender.endpoint.close();
    });
  }
  const borrower = await createTestAgent({
    role: "borrower",
    name: "B",
    signer: b,
    domain,
    transport: bus.createTransport({ name: "B" }),
    peers,
    settlement: chain.portFor(b.address),
    tokens,
    // Windows no test waits out in real time: only the clock can end them.
    auction: { admissionMs: 600_000, deadlineMs: 3_600_000, confirmTimeoutMs: 600_000 },
    clock,
    ...(seed ? seeded(`${seed}:B`) : { newSessionId: () => SESSION_ID }),
    log,
  });
  record(borrower.agent);
  cleanups.push(async () => {
    await borrower.agent.stop();
    await borrower.endpoint.close();
  });
  const ends = () => activity.filter((x) => x.type === "session");
  return { a, borrower: borrower.agent, chain, ends, wire, bus };
}

const SESSION_ID = `0x${"5e".repeat(32)}` as const;
const borrowState = (agent: Agent) => (agent.actor.getSnapshot().value as { borrow: string }).borrow;

describe("an agent on a simulated clock", () => {
  it("an RFQ nobody answers: the auction waits on the clock, whatever real time passes, then ends", async () => {
    const clock = new SimulatedClock();
    clock.set(Date.now());
    const { borrower, chain, ends } = await setUp(clock, false);
    await until(() => borrowState(borrower) === "negotiating", "B's auction");
    // Some real time, no clock time: B still waits for lenders.
    await sleep(300);
    expect(ends()).toEqual([]);
    expect(borrowState(borrower)).toBe("negotiating");

    const ended = nextActivity(borrower, (x) => x.type === "session", 15_000, "B's auction end");
    clock.increment(3_600_000);
    const end = await ended;
    expect(end.type === "session" && end.outcome.status).toBe("failed");
    await until(() => borrowState(borrower) === "idle", "B idle again");
    expect(chain.settlements).toEqual([]);
  }, 30_000);

  it("two real agents borrow and settle on the clock; the agreement's deadline follows it", async () => {
    const clock = new SimulatedClock();
    // An hour ahead of the wall: a deadline taken from the wall clock would be an hour short.
    const hourAhead = Date.now() + 3_600_000;
    clock.set(hourAhead);
    const { a, chain, ends } = await setUp(clock, true);
    // One lender registered: B's auction closes its admission once A has joined, and the
    // negotiation runs on messages alone, without the clock moving.
    await until(() => chain.settlements.length === 1, "the loan settled on the ledger", 15_000);
    const mine = ends().filter((x) => x.type === "session" && x.agent === "B");
    expect(mine).toHaveLength(1);
    const end = mine[0];
    if (end?.type !== "session" || end.outcome.status !== "agreed") throw new Error("B did not agree");
    expect(end.peer).toBe(a.address);
    // The session id came from the injected source, not from randomness.
    expect(end.sessionId).toBe(SESSION_ID);
    expect(end.outcome.agreement.deadline).toBeGreaterThanOrEqual(BigInt(Math.floor(hourAhead / 1000)));
    expect(clock.now()).toBe(hourAhead);
  }, 30_000);

  it("same seed, same clock: two runs put the same bytes on the wire", async () => {
    const run = async () => {
      const clock = new SimulatedClock();
      // A fixed instant (2096), ahead of the ledger's wall clock so deadlines hold.
      clock.set(4_000_000_000_000);
      const { chain, wire, bus } = await setUp(clock, true, "replay");
      await until(() => chain.settlements.length === 1, "the loan settled on the ledger", 15_000);
      await bus.flush();
      return [...wire];
    };
    const first = await run();
    const second = await run();
    // RFQ, offers, accept, confirm: signed envelopes, byte for byte.
    expect(first.length).toBeGreaterThan(3);
    expect(second).toEqual(first);
  }, 60_000);
});
