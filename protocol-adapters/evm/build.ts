/**
 * Compiles protocol-adapters/evm/contracts/*.sol (the adapters' own test protocols) with solc-js
 * into typed modules in protocol-adapters/evm/generated/: see tools/solc-build.ts.
 *
 *   npm run adapters:build [-- --force | --check]
 */
import { readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTypedArtifacts } from "../../tools/solc-build.ts";

const here = dirname(fileURLToPath(import.meta.url));
const contractsDir = join(here, "contracts");

process.exitCode = buildTypedArtifacts({
  label: "adapters",
  script: "npm run adapters:build",
  baseDir: contractsDir,
  sourceDir: contractsDir,
  // One contract per file, named after the file.
  targets: readdirSync(contractsDir)
    .filter((f) => f.endsWith(".sol"))
    .sort()
    .map((f) => ({ source: f, contract: f.slice(0, -4) })),
  generatedDir: join(here, "generated"),
  // No viaIR: these contracts are test fixtures, and the legacy pipeline compiles OZ's ERC4626 in
  // a fraction of the time.
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: "prague",
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
  scriptFile: fileURLToPath(import.meta.url),
  ownPrefix: "",
  args: process.argv.slice(2),
});
