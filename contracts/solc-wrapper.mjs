#!/usr/bin/env node
/**
 * A `solc` command-line stand-in backed by solc-js (the npm `solc` package), so forge can compile
 * offline: `forge build --offline --use contracts/cache/solc` (forge-test.sh writes that shim).
 *
 * Speaks the two commands forge uses: `--version`, and `--standard-json` with the input JSON on
 * stdin and the output JSON on stdout. Path options forge adds (`--base-path`, `--include-path`,
 * `--allow-paths`) only steer the import callback; sources forge sends inline need none of them.
 */
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { isAbsolute, resolve } from "node:path";

const require = createRequire(import.meta.url);
const solc = require("solc");

const args = process.argv.slice(2);

if (args.includes("--version") || args.includes("-v")) {
  // forge parses the "Version: x.y.z+commit..." line.
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
  process.exit(0);
}

if (!args.includes("--standard-json")) {
  process.stderr.write(
    `solc-wrapper: only --version and --standard-json are supported (got: ${args.join(" ")})\n`,
  );
  process.exit(2);
}

/** Values of a path option, in both `--opt value` and `--opt=value` forms, comma lists split. */
function optionValues(name) {
  const out = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === name && i + 1 < args.length) out.push(args[++i]);
    else if (arg.startsWith(`${name}=`)) out.push(arg.slice(name.length + 1));
  }
  return out.flatMap((v) => v.split(",")).filter(Boolean);
}

const roots = [...optionValues("--base-path"), ...optionValues("--include-path"), process.cwd()];

function findImports(path) {
  const candidates = isAbsolute(path) ? [path] : roots.map((root) => resolve(root, path));
  for (const file of candidates) {
    if (existsSync(file)) return { contents: readFileSync(file, "utf8") };
  }
  return { error: `File not found: ${path} (searched ${roots.join(", ")})` };
}

const input = readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: findImports }));
