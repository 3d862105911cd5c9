#!/usr/bin/env node
// Runs Biome from its platform package. We depend on the platform package directly: the
// `@biomejs/biome` wrapper lists optional packages for every platform, and `npm ci` refuses a lock
// file that lacks any of them, which happens whenever the registry mirror does not carry one.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const libc =
  process.platform === "linux" && !process.report?.getReport().header.glibcVersionRuntime ? "-musl" : "";
const pkg = `@biomejs/cli-${process.platform}-${process.arch}${libc}`;
let bin;
try {
  bin = require.resolve(`${pkg}/biome${process.platform === "win32" ? ".exe" : ""}`);
} catch {
  console.error(
    `Biome for this platform (${pkg}) is not installed: \`npm i -D ${pkg}\`, or use any Biome 2.6 binary.`,
  );
  process.exit(1);
}
const r = spawnSync(bin, process.argv.slice(2), { stdio: "inherit" });
process.exit(r.status ?? 1);
