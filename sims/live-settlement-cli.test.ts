/**
 * `npm run sim:live` against a chain that is not there: one short message naming the URL, exit code
 * 1, and none of viem's request dump (which, for a deployment, is the contract's bytecode).
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { freePort } from "../arbitration/anvil.ts";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..");

describe("sim:live with an unreachable RPC", () => {
  it("prints a short message naming the URL, not the bytecode", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const run = spawnSync(
      join(repo, "node_modules/.bin/tsx"),
      [join(repo, "sims/live-settlement-cli.ts"), "--rpc-url", url],
      { cwd: repo, encoding: "utf8", timeout: 60_000 },
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`sim failed: Cannot reach the JSON-RPC endpoint ${url}`);
    expect(run.stderr).toMatch(/omit --rpc-url/);
    expect(run.stderr).not.toMatch(/0x6080|Request body|data:/);
    expect(run.stderr.trim().length).toBeLessThan(400);
  }, 60_000);
});
