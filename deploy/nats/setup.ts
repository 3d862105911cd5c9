/**
 * `npm run nats:setup`: NATS identities for a deployment. For each agent an NKey user (its seed in
 * `<out>/<name>.nk`, mode 0600, for the agent's config `nats.auth.nkeySeedFile`) with the
 * permissions of agent-permissions.ts; a read-only dashboard user; and `<out>/auth.conf` and
 * `<out>/tls.conf`, which deploy/nats/nats-server.conf includes (out defaults to
 * deploy/nats/generated, which git ignores). Only public keys go into the server's config.
 *
 *   npm run nats:setup -- --chain-id 31337 \
 *     --agent lending-market-A=0x70997970C51812dc3A010C7d01b50e0d17dc79C8 \
 *     --agent perp-exchange-B=0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC [--bucket-prefix demo] \
 *     [--tls-generate | --tls-cert f --tls-key f --tls-ca f] [--verify-clients]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { createUser } from "@nats-io/nkeys";
import { type Address, getAddress, isAddress } from "viem";
import { agentPermissions, dashboardPermissions } from "./agent-permissions.ts";
import { type AuthUser, renderAuthConfig, renderTlsConfig, type TlsFiles } from "./render-auth-config.ts";
import { generateTestCa } from "./test-ca.ts";

export type SetupNatsParameters = {
  out: string;
  chainId: number;
  agents: Array<{ name: string; address: Address; bucketPrefix?: string }>;
  /** Also a read-only dashboard identity (default true). */
  dashboard?: boolean;
  tls?: TlsFiles;
};

export type SetupNatsReturnType = {
  authFile: string;
  tlsFile: string;
  /** Seed file per identity name ("dashboard" for the dashboard). */
  seedFiles: Record<string, string>;
  /** Public key per identity name. */
  publicKeys: Record<string, string>;
};

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export function setupNats(p: SetupNatsParameters): SetupNatsReturnType {
  mkdirSync(p.out, { recursive: true });
  const users: AuthUser[] = [];
  const seedFiles: Record<string, string> = {};
  const publicKeys: Record<string, string> = {};
  const identity = (name: string) => {
    if (!NAME.test(name)) throw new Error(`identity name "${name}": letters, digits, _ . - only`);
    const kp = createUser();
    const file = join(p.out, `${name}.nk`);
    writeFileSync(file, `${new TextDecoder().decode(kp.getSeed())}\n`, { mode: 0o600 });
    seedFiles[name] = file;
    publicKeys[name] = kp.getPublicKey();
    return kp.getPublicKey();
  };
  for (const a of p.agents) {
    const nkey = identity(a.name);
    users.push({
      name: `${a.name} ${getAddress(a.address)}`,
      nkey,
      permissions: agentPermissions({
        agent: a.address,
        chainId: p.chainId,
        ...(a.bucketPrefix ? { bucketPrefix: a.bucketPrefix } : {}),
      }),
    });
  }
  if (p.dashboard ?? true)
    users.push({
      name: "dashboard (read only)",
      nkey: identity("dashboard"),
      permissions: dashboardPermissions(),
    });
  const authFile = join(p.out, "auth.conf");
  const tlsFile = join(p.out, "tls.conf");
  writeFileSync(authFile, renderAuthConfig(users));
  writeFileSync(tlsFile, renderTlsConfig(p.tls));
  return { authFile, tlsFile, seedFiles, publicKeys };
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: {
      out: { type: "string", default: resolve(import.meta.dirname, "generated") },
      "chain-id": { type: "string", default: "31337" },
      agent: { type: "string", multiple: true, default: [] },
      "bucket-prefix": { type: "string" },
      "no-dashboard": { type: "boolean" },
      "tls-generate": { type: "boolean" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-ca": { type: "string" },
      "verify-clients": { type: "boolean" },
    },
  });
  const agents = values.agent.map((spec) => {
    const [name, address] = spec.split("=");
    if (!name || !address || !isAddress(address))
      throw new Error(`--agent ${spec}: expected <name>=<0x address>`);
    return {
      name,
      address: getAddress(address),
      ...(values["bucket-prefix"] ? { bucketPrefix: values["bucket-prefix"] } : {}),
    };
  });
  if (agents.length === 0) throw new Error("give at least one --agent <name>=<0x address>");
  let tls: TlsFiles | undefined;
  if (values["tls-generate"]) {
    const ca = generateTestCa(join(values.out, "tls"));
    tls = { certFile: ca.serverCertFile, keyFile: ca.serverKeyFile, caFile: ca.caFile };
  } else if (values["tls-cert"] && values["tls-key"] && values["tls-ca"]) {
    tls = {
      certFile: resolve(values["tls-cert"]),
      keyFile: resolve(values["tls-key"]),
      caFile: resolve(values["tls-ca"]),
    };
  }
  if (tls && values["verify-clients"]) tls.verifyClients = true;
  const r = setupNats({
    out: values.out,
    chainId: Number(values["chain-id"]),
    agents,
    dashboard: !values["no-dashboard"],
    ...(tls ? { tls } : {}),
  });
  process.stdout.write(`${JSON.stringify({ ...r, tls: tls ?? null }, null, 2)}\n`);
}

if (process.argv[1]?.endsWith("setup.ts")) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  }
}
