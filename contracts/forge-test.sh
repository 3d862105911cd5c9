#!/usr/bin/env bash
# Runs the Foundry tests of contracts/ offline, compiling with solc-js (npm `solc`) through
# contracts/solc-wrapper.mjs, since forge cannot download a native solc here.
#
#   bash contracts/forge-test.sh                      # all suites (unit, fuzz, invariant, gas), then
#                                                     # the gas table checked against contracts/snapshots/
#   bash contracts/forge-test.sh --gas-report         # extra args go to `forge test` (no gas check)
#   bash contracts/forge-test.sh --match-test Replay -vvv
#
# Needs only `npm ci` (forge comes from @foundry-rs/forge-linux-amd64). Exits non-zero if a test fails or, in the
# no-argument form, if gas differs from the committed snapshot or misses a target (`npm run gas`).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"

# The platform binary from @foundry-rs/forge-<os>-<arch>: the npm shim in node_modules/.bin does not
# pass forge's exit status on, so failing tests would look green.
forge="$(cd "$repo" && node -e '
  const os = process.platform, arch = process.arch === "x64" ? "amd64" : process.arch;
  const exe = os === "win32" ? "forge.exe" : "forge";
  try { process.stdout.write(require.resolve(`@foundry-rs/forge-${os}-${arch}/bin/${exe}`)); } catch {}
')"
if [[ -z "$forge" || ! -x "$forge" ]]; then
  echo "forge-test: no forge binary for this platform in node_modules/@foundry-rs; run \`npm ci\` at the repo root." >&2
  exit 1
fi
if [[ ! -f "$repo/node_modules/solc/soljson.js" || ! -d "$repo/node_modules/@openzeppelin/contracts" ]]; then
  echo "forge-test: solc or @openzeppelin/contracts missing from node_modules; run \`npm ci\`." >&2
  exit 1
fi

# forge wants an executable `solc`; git may not keep the exec bit of the wrapper, so write a shim
# (cache/ is ignored by git) that runs it with this node.
mkdir -p "$here/cache"
shim="$here/cache/solc"
printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$(command -v node)" "$here/solc-wrapper.mjs" > "$shim"
chmod +x "$shim"

cd "$here"
if [[ $# -gt 0 ]]; then
  exec "$forge" test --offline --use "$shim" "$@" </dev/null
fi
# Gas tests run in contracts/gas.ts (twice: plain and --isolate), which compares with the snapshot.
"$forge" test --offline --use "$shim" --no-match-path 'test/gas/*' </dev/null
cd "$repo"
exec node_modules/.bin/tsx contracts/gas.ts --check
