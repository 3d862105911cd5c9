import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../core/log.ts";
import { stateText } from "../operator/agent-status.ts";
import { startDashboard } from "./server.ts";
import type { Patch } from "./view-model.ts";

describe("replaying the shipped recording (npm run dashboard -- --replay)", () => {
  it("rebuilds the recorded run: three agents, their negotiation, the loan and the alert", async () => {
    const dashboard = await startDashboard({
      replay: { file: resolve(import.meta.dirname, "recordings/demo-study.jsonl"), speed: 1000 },
      log: createLogger({ level: "error" }),
    });
    try {
      await dashboard.replayed;
      const s = (await (await fetch(`${dashboard.url}/api/state`)).json()) as Patch;
      expect(s.source).toBe("replay");
      expect(s.agents.map((a) => a.name).sort()).toEqual([
        "lending-market-A",
        "my-lending-market",
        "perp-exchange-B",
      ]);
      expect(s.negotiations[0]!.status).toBe("settled");
      expect(s.loans).toHaveLength(1);
      expect(s.alerts[0]!.level).toBe(2);
      expect(s.metrics.riskLevel).toBe(2);
    } finally {
      await dashboard.stop();
    }
  });
});

describe("stateText", () => {
  it("reads parallel and nested machine states", () => {
    expect(stateText("idle")).toBe("idle");
    expect(stateText({ borrow: "servicing", lend: {} })).toBe("borrow: servicing, lend");
  });
});
