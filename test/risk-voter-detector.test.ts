/**
 * Real risk agents (signed snapshots, proposals and votes over the in-process bus) with the
 * simulator's voter detector (sims/engine/agents-policy/voter-detector.ts): the alert holds at the
 * level the voters' view supports when a quorum of protocols votes for it, and not with one fewer.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRiskAgent, type RiskActivity, type RiskAgent } from "../agents/risk/risk-agent.ts";
import { createLogger } from "../core/log.ts";
import { createPeerRegistry } from "../negotiation/peers.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { testDomain as domain, newSigner } from "../negotiation/wire/fixtures.ts";
import { createVoterDetector } from "../sims/engine/agents-policy/voter-detector.ts";
import { type RecordedRun, recordRun, replayAdapter } from "../sims/engine/testing/recorded-books.ts";

const log = createLogger({ level: "silent" });
const QUORUM = 3;
let run: RecordedRun;
let agents: RiskAgent[] = [];

beforeAll(async () => {
  run = await recordRun({ family: "ring-contagion", seed: 5 });
}, 60_000);
afterEach(() => {
  for (const a of agents.splice(0)) a.stop();
});

function start(levels: number[]) {
  const bus = createInProcessBus({ log });
  const signers = levels.map(() => newSigner());
  const registered = createPeerRegistry(
    signers.map((s, i) => ({ address: s.address, name: run.ids[i]!, protocol: run.kinds[i]! })),
  );
  const activity: RiskActivity[] = [];
  agents = levels.map((level, i) => {
    const agent = createRiskAgent({
      name: run.ids[i]!,
      signer: signers[i]!,
      domain,
      transport: bus.createTransport({ name: run.ids[i]! }),
      adapter: replayAdapter(run, i, { stopAt: 0 }),
      registered,
      quorum: QUORUM,
      detector: createVoterDetector({ level: () => level }),
      cadenceMs: 50,
      alertTtlSec: 600,
      log,
    });
    agent.onActivity((a) => activity.push(a));
    return agent;
  });
  return activity;
}

describe("real risk agents with the voter detector", () => {
  it("hold level 2 when three of five protocols vote for it", async () => {
    const activity = start([2, 2, 2, 1, 0]);
    await expect
      .poll(() => activity.some((a) => a.type === "risk.held" && a.level === 2), {
        timeout: 20_000,
        interval: 50,
      })
      .toBe(true);
    const held = activity.filter((a) => a.type === "risk.held");
    expect(Math.max(...held.map((a) => (a.type === "risk.held" ? a.level : 0)))).toBe(2);
  }, 30_000);

  it("hold nothing when only two vote for any level", async () => {
    const activity = start([1, 1, 0, 0, 0]);
    const sent = () => activity.filter((a) => a.type === "risk.sent" && a.kind === "risk.proposal").length;
    await expect.poll(sent, { timeout: 20_000, interval: 50 }).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1_000));
    expect(activity.filter((a) => a.type === "risk.held")).toEqual([]);
  }, 30_000);
});
