/**
 * The package from outside: `npm run build` emits JavaScript and .d.ts into dist/, a consumer
 * project that has the package in its node_modules (as `npm install` would lay it) typechecks
 * test/consumer/consumer.ts against the emitted types (strict, NodeNext resolution through the
 * package's `exports`) and runs it with plain node. The consumer imports only public entry points,
 * builds two agents, and they negotiate and settle a loan on anvil.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe("the package as a consumer sees it", () => {
  let dir: string;
  beforeAll(() => {
    run("npm", ["run", "build", "--silent"], ROOT);
    dir = mkdtempSync(join(tmpdir(), "consumer-"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(ROOT, join(dir, "node_modules", "liquidity-negotiation"), "dir");
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "consumer", type: "module", private: true }),
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          skipLibCheck: false,
          types: ["node"],
          typeRoots: [join(ROOT, "node_modules/@types")],
          lib: ["ES2023", "DOM"],
          outDir: "out",
          noEmitOnError: true,
        },
        files: ["consumer.ts"],
      }),
    );
    copyFileSync(join(ROOT, "test/consumer/consumer.ts"), join(dir, "consumer.ts"));
  }, 180_000);

  it("typechecks against the emitted declarations", () => {
    run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "."], dir);
  });

  it("runs with plain node: builds two agents, negotiates and settles a loan", () => {
    const out = run(process.execPath, [join(dir, "out/consumer.js")], dir);
    const result = JSON.parse(out.trim().split("\n").at(-1)!);
    expect(result.loanStatus).toBe("Active");
    expect(result.arbitrationHasTestHelpers).toBe(false);
    expect(result.deepImportRefused).toBe(true);
    expect(result.rootExports).toEqual(
      expect.arrayContaining(["startAgent", "runAgent", "createNatsTransport"]),
    );
    expect(result.schemaTitle).toBe("Liquidity negotiation agent config");
  }, 60_000);

  it("ships the agent CLI as a bin that runs on plain node", () => {
    const bin = join(dir, "node_modules/liquidity-negotiation/dist/operator/cli.js");
    const out = run(
      process.execPath,
      [bin, "--config", join(ROOT, "examples/agents/lending-market-A.json"), "--check"],
      dir,
    );
    expect(JSON.parse(out)).toMatchObject({ ok: true, name: "lending-market-A" });
  });
});
