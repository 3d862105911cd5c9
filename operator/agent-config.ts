/**
 * The config file of one agent (`npm run agent -- --config agent.json`): who it is (name, key),
 * what it speaks for (adapter), where it talks (NATS) and settles (chain), whom it trusts (peers),
 * how it bargains (policy, negotiation limits), where it keeps state (JetStream KV). Secrets are
 * never in the file: it names the environment variable or file that holds each one.
 *
 * The schema is the single definition: `z.toJSONSchema` derives operator/agent-config.schema.json
 * from it for editors (a test keeps the committed file equal), and zod's issues name the field at
 * fault when a file is wrong. Amounts are decimal strings of base units, as on the wire.
 */
import { z } from "zod";
import { address, smallUint, uint } from "../core/schema.ts";
import { PeerInfoSchema } from "../negotiation/peers.ts";

export const AGENT_CONFIG_VERSION = 1;

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "expected an environment variable name (letters, digits, _)");
const path = z.string().min(1).describe("A file path, relative to the config file's folder.");
const bps = smallUint(10_000);
const amount = uint(256).describe('Token base units, as a decimal string (1 USDC = "1000000").');
const usd8 = uint(256).describe('A USD price with 8 decimals, as a decimal string ($1 = "100000000").');
const tokenSymbol = z.string().min(1).max(16).describe("A symbol from the config's `tokens`.");

export const TokenConfigSchema = z.strictObject({
  symbol: z.string().min(1).max(16),
  address,
  decimals: smallUint(36),
  /** The price the agent assumes when the protocol does not report one (a static oracle). */
  priceUsd8: usd8.optional(),
});

export const KeyConfigSchema = z.union(
  [
    z
      .strictObject({
        /** A Web3 Secret Storage (v3) keystore file. */
        keystore: path,
        /** The variable holding the keystore's password. */
        passwordEnv: envName.optional(),
        /** Or a file holding it (its first line). */
        passwordFile: path.optional(),
      })
      .refine((k) => (k.passwordEnv === undefined) !== (k.passwordFile === undefined), {
        message: "give exactly one of passwordEnv and passwordFile",
      }),
    z.strictObject({
      /** The variable holding the private key (0x and 64 hex digits). */
      env: envName,
    }),
  ],
  { error: 'expected {"keystore", "passwordEnv" or "passwordFile"} or {"env"}' },
);

const rateModel = z.strictObject({
  baseBps: bps,
  slope1Bps: smallUint(100_000),
  slope2Bps: smallUint(100_000),
  kinkBps: bps,
  reserveFactorBps: bps,
});

/** Built-in adapters: the simulated protocols of protocol-adapters/simulated and the EVM ones. */
export const BuiltinAdapterConfigSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("simulated-lending-market"),
    protocolId: z.string().min(1).max(64),
    asset: tokenSymbol,
    deposits: amount,
    borrows: amount,
    bufferBps: bps,
    rateModel,
  }),
  z.strictObject({
    type: z.literal("simulated-perp-exchange"),
    protocolId: z.string().min(1).max(64),
    settlementToken: tokenSymbol,
    insuranceToken: tokenSymbol,
    cash: amount,
    pendingWithdrawals: amount,
    minFloat: amount,
    insuranceFund: amount,
    adlCostBps: smallUint(1_000_000),
  }),
  z.strictObject({
    type: z.literal("simulated-amm"),
    protocolId: z.string().min(1).max(64),
    tokenX: tokenSymbol,
    tokenY: tokenSymbol,
    reserveX: amount,
    reserveY: amount,
    feeBps: bps,
  }),
  z.strictObject({
    type: z.literal("simulated-vault"),
    protocolId: z.string().min(1).max(64),
    liability: tokenSymbol,
    liabilities: amount,
    parUsd8: usd8,
    payout: tokenSymbol,
    backing: z
      .array(
        z.strictObject({
          token: tokenSymbol,
          amount,
          liquidity: z.enum(["liquid", "illiquid", "locked"]),
        }),
      )
      .min(1),
    shortfallCostBps: smallUint(1_000_000),
  }),
  z.strictObject({
    type: z.literal("evm-lending-pool"),
    protocolId: z.string().min(1).max(64),
    pool: address,
    bufferBps: bps,
    rateModel,
    shortfallCostBps: smallUint(1_000_000),
  }),
  z.strictObject({
    type: z.literal("evm-vault"),
    protocolId: z.string().min(1).max(64),
    vault: address,
    bufferBps: bps,
    opportunityRateBps: smallUint(1_000_000),
    shortfallCostBps: smallUint(1_000_000),
    /** Symbol (in `tokens`) whose priceUsd8 prices the vault's asset. */
    assetPrice: tokenSymbol.optional(),
  }),
]);

export const ModuleAdapterConfigSchema = z.strictObject({
  type: z.literal("module"),
  /** A JavaScript or TypeScript module, relative to the config file. */
  path,
  /** The export to call with an AdapterContext; default "createAdapter". */
  export: z.string().min(1).default("createAdapter"),
  /** Handed to the factory as `context.options`; the module validates them. */
  options: z.record(z.string(), z.unknown()).default({}),
});

/** One union on `type`, so an error names the field inside the adapter that is wrong. */
export const AdapterConfigSchema = z.discriminatedUnion("type", [
  ...BuiltinAdapterConfigSchema.options,
  ModuleAdapterConfigSchema,
]);

export const NatsAuthConfigSchema = z.union(
  [
    z.strictObject({ nkeySeedFile: path }).describe("An NKey seed file (deploy/nats: `npm run nats:setup`)."),
    z.strictObject({ nkeySeedEnv: envName }),
    z.strictObject({ credsFile: path }).describe("A decentralised-auth .creds file (JWT and seed)."),
    z.strictObject({ userEnv: envName, passwordEnv: envName }),
    z.strictObject({ tokenEnv: envName }),
  ],
  {
    error:
      'expected one of {"nkeySeedFile"}, {"nkeySeedEnv"}, {"credsFile"}, {"userEnv", "passwordEnv"}, {"tokenEnv"}',
  },
);

export const NatsTlsConfigSchema = z.strictObject({
  /** The CA that signed the server's certificate (PEM). */
  caFile: path,
  /** Client certificate and key, when the server verifies clients (mutual TLS). */
  certFile: path.optional(),
  keyFile: path.optional(),
});

export const NatsConfigSchema = z.strictObject({
  servers: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  auth: NatsAuthConfigSchema.optional(),
  tls: NatsTlsConfigSchema.optional(),
});

export const PeersConfigSchema = z.discriminatedUnion("source", [
  z.strictObject({ source: z.literal("static"), list: z.array(PeerInfoSchema).min(1) }),
  z.strictObject({
    /** Every agent registered on the arbiter (AgentRegistered minus AgentDeregistered events). */
    source: z.literal("chain"),
    /** How often to look for registrations, ms. Default 5000. */
    refreshMs: z.number().int().min(100).default(5_000),
  }),
]);

export const PolicyConfigSchema = z.strictObject({
  haircutBps: bps.optional(),
  lenderPremiumBps: smallUint(100_000).optional(),
  /** Tenor a borrower asks for, seconds. */
  tenor: smallUint(2 ** 32 - 1).optional(),
  lenderExponent: z.number().positive().optional(),
  borrowerExponent: z.number().positive().optional(),
  borrowerOpeningShare: z.number().min(0).max(1).optional(),
  lenderOpeningShare: z.number().min(0).max(1).optional(),
});

const limits = {
  maxRounds: smallUint(1_000).optional(),
  deadlineMs: smallUint(3_600_000).optional(),
  confirmTimeoutMs: smallUint(3_600_000).optional(),
  settlementWindowSec: smallUint(86_400).optional(),
};

export const NegotiationConfigSchema = z.strictObject({
  /** How often the agent looks at its protocol, ms. */
  pollMs: z.number().int().min(10).default(1_000),
  session: z.strictObject(limits).default({}),
  auction: z
    .strictObject({
      ...limits,
      admissionMs: smallUint(600_000).optional(),
      maxLenders: smallUint(1_000).optional(),
    })
    .default({}),
});

/** The risk loop (agents/risk, docs/PROTOCOL.md §10): signed risk snapshots, alert proposals and
 *  votes with the registered peers, the quorum's alert posted on chain, de-risking through the
 *  adapter's stance while the alert holds. */
export const RiskConfigSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** What estimates the contagion probability: "rule", the rule detector (agents/risk/
   *  rule-detector.ts), or "contagion-model", the learned model (agents/risk/model-detector.ts,
   *  models/contagion), which needs an adapter that reports its book (`book()`). */
  detector: z.enum(["rule", "contagion-model"]).default("rule"),
  /** How often the loop assesses its protocol, ms. */
  cadenceMs: z.number().int().min(100).default(5_000),
  /** How long an alert this agent proposes lasts, seconds (the contract allows at most 7 days). */
  alertTtlSec: z
    .number()
    .int()
    .min(60)
    .max(7 * 86_400)
    .default(3_600),
  /** Between two signers' turns to post a held alert on chain, ms. */
  submitStaggerMs: z.number().int().min(0).max(600_000).default(10_000),
  /** Approvals an alert needs; default: the arbiter's alertQuorum. */
  quorum: z.number().int().min(1).max(1_000).optional(),
  /** As lender, call loans whose callRiskLevel the on-chain level reaches. */
  callLoans: z.boolean().default(true),
});

export const AgentConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(AGENT_CONFIG_VERSION),
    /** Shown in logs, on the dashboard and as the NATS connection name. */
    name: z.string().min(1).max(64),
    key: KeyConfigSchema,
    tokens: z.array(TokenConfigSchema).min(1),
    adapter: AdapterConfigSchema,
    chain: z.strictObject({
      rpcUrl: z.url(),
      arbiter: address,
      /** Checked against the node's at start; anvil's 31337 by default. */
      chainId: z.number().int().positive().optional(),
    }),
    nats: NatsConfigSchema,
    peers: PeersConfigSchema,
    policy: PolicyConfigSchema.default({}),
    negotiation: NegotiationConfigSchema.default({ pollMs: 1_000, session: {}, auction: {} }),
    durable: z
      .strictObject({
        /** Journal sessions, auctions and agreements to JetStream KV and resume them after a restart. */
        enabled: z.boolean().default(true),
        /** Bucket prefix; keep it across restarts of the same agent. */
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,32}$/)
          .default("liq-v0"),
        replicas: z.union([z.literal(1), z.literal(3), z.literal(5)]).default(1),
      })
      .default({ enabled: true, prefix: "liq-v0", replicas: 1 }),
    risk: RiskConfigSchema.default({
      enabled: true,
      detector: "rule",
      cadenceMs: 5_000,
      alertTtlSec: 3_600,
      submitStaggerMs: 10_000,
      callLoans: true,
    }),
    /** The agent's status for dashboards, published on liq.ops.v0.status.<address>. */
    status: z
      .strictObject({
        enabled: z.boolean().default(true),
        intervalMs: z.number().int().min(100).default(2_000),
      })
      .default({ enabled: true, intervalMs: 2_000 }),
    log: z
      .strictObject({ level: z.enum(["debug", "info", "warn", "error", "silent"]).default("info") })
      .default({ level: "info" }),
  })
  .superRefine((config, ctx) => {
    // Token symbols are how the rest of the file names tokens: each must be defined, once.
    const symbols = new Set<string>();
    config.tokens.forEach((t, i) => {
      if (symbols.has(t.symbol))
        ctx.addIssue({
          code: "custom",
          path: ["tokens", i, "symbol"],
          message: `"${t.symbol}" is defined twice`,
        });
      symbols.add(t.symbol);
    });
    for (const [field, symbol] of adapterTokenFields(config.adapter)) {
      if (!symbols.has(symbol)) {
        ctx.addIssue({
          code: "custom",
          path: ["adapter", ...field],
          message: `no token "${symbol}" in \`tokens\` (defined: ${[...symbols].join(", ")})`,
        });
      }
    }
  });

/** The token symbols a built-in adapter's config refers to, with their paths. */
function adapterTokenFields(a: z.output<typeof AdapterConfigSchema>): Array<[(string | number)[], string]> {
  switch (a.type) {
    case "simulated-lending-market":
      return [[["asset"], a.asset]];
    case "simulated-perp-exchange":
      return [
        [["settlementToken"], a.settlementToken],
        [["insuranceToken"], a.insuranceToken],
      ];
    case "simulated-amm":
      return [
        [["tokenX"], a.tokenX],
        [["tokenY"], a.tokenY],
      ];
    case "simulated-vault":
      return [
        [["liability"], a.liability],
        [["payout"], a.payout],
        ...a.backing.map((b, i): [(string | number)[], string] => [["backing", i, "token"], b.token]),
      ];
    case "evm-vault":
      return a.assetPrice ? [[["assetPrice"], a.assetPrice]] : [];
    default:
      return [];
  }
}

export type AgentConfig = z.output<typeof AgentConfigSchema>;
export type AgentConfigInput = z.input<typeof AgentConfigSchema>;
export type BuiltinAdapterConfig = z.output<typeof BuiltinAdapterConfigSchema>;
export type ModuleAdapterConfig = z.output<typeof ModuleAdapterConfigSchema>;
export type TokenConfig = z.output<typeof TokenConfigSchema>;
export type RiskConfig = z.output<typeof RiskConfigSchema>;

/** The JSON Schema of the config file (draft 2020-12), for editors and other tools. */
export function agentConfigJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(AgentConfigSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://liquidity-negotiation.dev/schemas/agent-config.schema.json",
    title: "Liquidity negotiation agent config",
  };
}
