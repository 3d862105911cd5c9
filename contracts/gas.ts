/**
 * `npm run gas`: measures the gas of every LiquidityArbiter action and prints it next to the
 * committed snapshot and the targets.
 *
 * Runs contracts/test/gas/ twice through forge-test.sh:
 *   - normally: execution gas of each call (what forge's gas report and UniswapX's snapshots count:
 *     no 21,000 base cost, no calldata cost) -> contracts/snapshots/LiquidityArbiter.json
 *   - with --isolate: each call as its own transaction, full transaction gas as a receipt reports
 *     it -> contracts/snapshots/LiquidityArbiter.tx.json
 *
 *   npm run gas              # measure, print, update the snapshot files (commit them)
 *   npm run gas -- --check   # fail if a figure differs from the committed snapshot (files untouched)
 *
 * Exits 1 if a target is missed, in either mode.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const contractsDir = dirname(fileURLToPath(import.meta.url));
const snapshotsDir = join(contractsDir, "snapshots");
const files = {
  execution: join(snapshotsDir, "LiquidityArbiter.json"),
  tx: join(snapshotsDir, "LiquidityArbiter.tx.json"),
};

/** Execution-gas targets of the issue (UniswapX's single limit-order execution is 136,118). */
const targets: Record<string, number> = {
  settle: 110_000,
  repay: 60_000,
  dispute: 80_000,
  // issue 15
  liquidate: 90_000,
};

type Snapshot = Record<string, string>;

function read(path: string): Snapshot | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as Snapshot) : undefined;
}

function runForge(extraArgs: string[], env: Record<string, string>): void {
  const result = spawnSync(
    "bash",
    [join(contractsDir, "forge-test.sh"), "--match-path", "test/gas/*", ...extraArgs],
    { env: { ...process.env, ...env }, encoding: "utf8" },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stdout + result.stderr);
    throw new Error(`forge failed (exit ${result.status}) running the gas tests`);
  }
}

function fmt(n: number | undefined): string {
  return n === undefined ? "-" : n.toLocaleString("en-US");
}

function delta(now: number, before: number | undefined): string {
  if (before === undefined) return "new";
  const d = now - before;
  return d === 0 ? "=" : `${d > 0 ? "+" : ""}${d.toLocaleString("en-US")}`;
}

function main(): number {
  const check = process.argv.includes("--check");
  const before = { execution: read(files.execution), tx: read(files.tx) };
  const raw = {
    execution: before.execution && readFileSync(files.execution, "utf8"),
    tx: before.tx && readFileSync(files.tx, "utf8"),
  };

  runForge([], { GAS_SNAPSHOT_GROUP: "LiquidityArbiter" });
  runForge(["--isolate"], { GAS_SNAPSHOT_GROUP: "LiquidityArbiter.tx" });
  const now = { execution: read(files.execution) ?? {}, tx: read(files.tx) ?? {} };

  const names = [...new Set([...Object.keys(now.execution), ...Object.keys(now.tx)])].sort();
  const rows = names.map((name) => {
    const exec = Number(now.execution[name]);
    const tx = Number(now.tx[name]);
    const target = targets[name];
    const prev = before.execution?.[name];
    return {
      name,
      exec,
      tx,
      vsSnapshot: delta(exec, prev === undefined ? undefined : Number(prev)),
      target,
      ok: target === undefined || exec <= target,
    };
  });

  const header = ["action", "execution gas", "tx gas", "vs snapshot", "target (exec)", ""];
  const lines = rows.map((r) => [
    r.name,
    fmt(r.exec),
    fmt(r.tx),
    r.vsSnapshot,
    r.target === undefined ? "" : `<= ${fmt(r.target)}`,
    r.target === undefined ? "" : r.ok ? "ok" : "MISSED",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const print = (cells: string[]) =>
    console.log(cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  "));
  print(header);
  print(widths.map((w) => "-".repeat(w)));
  for (const l of lines) print(l);
  console.log(
    "\nexecution gas: the call alone (forge gas report / snapshotGasLastCall); tx gas: the whole transaction",
    "\n(21,000 base + calldata + execution), as a receipt's gasUsed. Steady state: see contracts/test/gas/.",
  );

  let code = 0;
  const missed = rows.filter((r) => !r.ok);
  if (missed.length > 0) {
    console.error(`\ngas: target missed by ${missed.map((r) => r.name).join(", ")}.`);
    code = 1;
  }
  if (check) {
    const changed = names.filter(
      (n) => before.execution?.[n] !== now.execution[n] || before.tx?.[n] !== now.tx[n],
    );
    const removed = Object.keys(before.execution ?? {}).filter((n) => !(n in now.execution));
    // --check leaves the committed files as they were.
    if (raw.execution !== undefined) writeFileSync(files.execution, raw.execution);
    if (raw.tx !== undefined) writeFileSync(files.tx, raw.tx);
    if (changed.length + removed.length > 0) {
      console.error(
        `\ngas: figures differ from the committed snapshot (${[...changed, ...removed].join(", ")}).`,
        "Run `npm run gas` and commit contracts/snapshots/ if the change is intended.",
      );
      code = 1;
    } else {
      console.log("\ngas: matches the committed snapshot.");
    }
  } else {
    console.log(`\ngas: snapshot written to ${files.execution} and ${files.tx}.`);
  }
  return code;
}

process.exitCode = main();
