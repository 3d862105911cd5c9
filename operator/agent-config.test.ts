import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { agentConfigJsonSchema } from "./agent-config.ts";
import { AgentConfigError } from "./errors.ts";
import { loadAgentConfig, parseAgentConfig } from "./load-agent-config.ts";

const EXAMPLES = resolve(import.meta.dirname, "../examples/agents");
const example = () => JSON.parse(readFileSync(join(EXAMPLES, "lending-market-A.json"), "utf8"));

function problem(config: unknown): AgentConfigError {
  try {
    parseAgentConfig({ text: JSON.stringify(config), file: "/tmp/agent.json" });
  } catch (err) {
    if (err instanceof AgentConfigError) return err;
    throw err;
  }
  throw new Error("expected the config to be refused");
}

describe("agent config", () => {
  it("accepts every shipped example and resolves paths against the file's folder", async () => {
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith(".json"));
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const f of files) {
      const loaded = await loadAgentConfig(join(EXAMPLES, f));
      expect(loaded.config.version).toBe(1);
      expect(loaded.resolvePath("keys/x.json")).toBe(join(EXAMPLES, "keys/x.json"));
    }
    const { config } = await loadAgentConfig(join(EXAMPLES, "lending-market-A.json"));
    expect(config.adapter.type === "simulated-lending-market" && config.adapter.deposits).toBe(
      10_000_000n * 10n ** 6n,
    );
    expect(config.durable).toEqual({ enabled: true, prefix: "demo", replicas: 1 });
    expect(config.status).toEqual({ enabled: true, intervalMs: 2000 });
  });

  it("names each field at fault", () => {
    const c = example();
    c.adapter.deposits = 10;
    c.chain.arbiter = "0x1234";
    c.nats.servers = [];
    c.extra = true;
    const err = problem(c);
    expect(err.fields).toEqual(
      expect.arrayContaining(["adapter.deposits", "chain.arbiter", "nats.servers", ""]),
    );
    expect(err.message).toContain("→ at adapter.deposits");
    expect(err.message).toContain('Unrecognized key: "extra"');
    expect(err.message).toContain("/tmp/agent.json");
  });

  it("refuses a token symbol the file does not define, naming where it is used", () => {
    const c = example();
    c.adapter.asset = "DAI";
    const err = problem(c);
    expect(err.fields).toEqual(["adapter.asset"]);
    expect(err.message).toContain('no token "DAI"');
  });

  it("wants exactly one source for a keystore's password", () => {
    const c = example();
    c.key = { keystore: "k.json", passwordEnv: "A", passwordFile: "p.txt" };
    expect(problem(c).message).toContain("key");
    c.key = { keystore: "k.json" };
    expect(problem(c).message).toContain("exactly one of passwordEnv and passwordFile");
  });

  it("refuses what is not JSON, saying so", () => {
    expect(() => parseAgentConfig({ text: "{ nope", file: "a.json" })).toThrow(/not JSON/);
  });

  it("ships its JSON Schema, equal to the one derived from the zod schema", () => {
    const committed = JSON.parse(
      readFileSync(resolve(import.meta.dirname, "agent-config.schema.json"), "utf8"),
    );
    // Regenerate with: npm run agent -- schema --out operator/agent-config.schema.json
    expect(committed).toEqual(agentConfigJsonSchema());
    expect((committed.properties as Record<string, unknown>).adapter).toBeDefined();
  });
});
