/**
 * Compiles contracts/src with solc-js into typed modules in contracts/generated/ (committed, so
 * the project typechecks without a build) and plain JSON ABIs in contracts/abi/ (for callers in
 * other languages; test/contract-abi.test.ts checks they are current): see tools/solc-build.ts.
 *
 *   npm run contracts:build [-- --force | --check]
 *
 * Compiler settings are mirrored in contracts/foundry.toml so forge measures the gas we deploy.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildTypedArtifacts } from "../tools/solc-build.ts";

const contractsDir = dirname(fileURLToPath(import.meta.url));

process.exitCode = buildTypedArtifacts({
  label: "contracts",
  script: "npm run contracts:build",
  baseDir: contractsDir,
  sourceDir: join(contractsDir, "src"),
  targets: [
    { source: "src/LiquidityArbiter.sol", contract: "LiquidityArbiter" },
    { source: "src/MarginOracle.sol", contract: "MarginOracle" },
    { source: "src/test/TestPriceFeed.sol", contract: "TestPriceFeed" },
    { source: "src/test/TestToken.sol", contract: "TestToken" },
    { source: "src/test/BlocklistTestToken.sol", contract: "BlocklistTestToken" },
  ],
  generatedDir: join(contractsDir, "generated"),
  abiDir: join(contractsDir, "abi"),
  // viaIR: measured on LiquidityArbiter, it saves ~5k gas per settle, ~1.2k per repay and ~19% of
  // deploy size, for about the same solc-js compile time. 1,000 runs (was 10,000): with the margin
  // functions (issue 15) 10,000 runs put the runtime at 25,774 bytes, over EIP-170's 24,576; 1,000
  // runs gives 23,360 bytes, for a few hundred gas per call (contracts/snapshots/ shows the figures).
  settings: {
    viaIR: true,
    optimizer: { enabled: true, runs: 1_000 },
    evmVersion: "prague",
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
  },
  scriptFile: fileURLToPath(import.meta.url),
  ownPrefix: "src/",
  args: process.argv.slice(2),
});
