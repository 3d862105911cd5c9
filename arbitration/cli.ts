/**
 * `npm run arbiter -- <command> [options]`: the LiquidityArbiter for contract callers, from a shell.
 * Results are printed as JSON on stdout (amounts as decimal strings); errors as text on stderr,
 * saying what was wrong and what to do. Exit codes: 0 ok, 1 the chain or contract refused, 2 bad
 * input (usage, files, flags, environment).
 *
 * The signing key is read from an environment variable (ARBITER_PRIVATE_KEY, or the one named by
 * --key-env) and never printed.
 */
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { type Address, getAddress, type Hex, isAddress, keccak256 } from "viem";
import { z } from "zod";
import { type Agreement, AgreementSchema, hashAgreement } from "../core/agreement.ts";
import { BaseError } from "../core/errors.ts";
import { toJson } from "../core/schema.ts";
import { createSigner } from "../core/signer.ts";
import { callLoan } from "./call-loan.ts";
import { claimDefault } from "./claim-default.ts";
import { type ArbiterClients, createArbiterClients, createArbiterReadClients } from "./clients.ts";
import { counterDispute } from "./counter-dispute.ts";
import { deployArbiter } from "./deploy-arbiter.ts";
import { dispute } from "./dispute.ts";
import { ArbiterRevertError, ArbiterTransactionRevertedError } from "./errors.ts";
import { getSettledAgreement } from "./events.ts";
import { getDispute } from "./get-dispute.ts";
import { getLoan } from "./get-loan.ts";
import { getRiskLevel } from "./get-risk-level.ts";
import { deregisterAgent, registerAgent, setArbiters } from "./governance.ts";
import { invalidateNonce } from "./invalidate-nonce.ts";
import { repay } from "./repay.ts";
import { resolve } from "./resolve.ts";
import { rule } from "./rule.ts";
import { settle } from "./settle.ts";
import { signRuling } from "./typed-data.ts";
import type { Party } from "./types.ts";

export type CliIo = {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  env: Record<string, string | undefined>;
};

/** Bad input: printed with its hint, exit code 2. */
export class CliInputError extends BaseError {
  override name = "CliInputError";
  override readonly code = "CliInput";
  constructor(message: string, hint?: string) {
    super(message, hint ? { metaMessages: [hint] } : {});
  }
}

const HELP = `Usage: npm run arbiter -- <command> [options]

Commands (the account is the key in $ARBITER_PRIVATE_KEY unless noted):
  deploy          --bond-token <addr> [--bond-amount <n>] [--liveness <s>] [--window <s>]
                  [--alert-quorum <n>] [--governance <addr>]       deploy a LiquidityArbiter
  register        --agent <addr> --protocol <id>                   add an agent (governance)
  deregister      --agent <addr>                                   remove an agent (governance)
  set-arbiters    --arbiters <a,b,c> --threshold <k>               k-of-n arbiter set (governance)
  settle          --file <signed.json>                             settle {agreement, lenderSignature, borrowerSignature}
  repay           --agreement <file> [--amount <n>]                repay all, or <n> base units
  claim-default   --agreement <file>                               lender takes the collateral after maturity + grace
  call-loan       --agreement <file>                               lender calls a callable loan under a risk alert
  dispute         --agreement <file> (--evidence <0x hash> | --evidence-file <path>)
  counter-dispute --agreement <file> (--evidence <0x hash> | --evidence-file <path>)
  sign-ruling     --agreement <file> --winner <lender|borrower|none> [--close]
                                                                   an arbiter's signature, printed as JSON
  rule            --agreement <file> --winner <lender|borrower|none> [--close] --signatures <sigs.json>
  resolve         --agreement <file>                               default ruling after the dispute deadline
  invalidate-nonce --nonce <n>                                     cancel your unsettled agreements with this nonce
  status          (--agreement <file> | --id <0x loan id>)         loan, dispute and risk level (no key needed)

Options:
  --rpc <url>         JSON-RPC endpoint (default $ARBITER_RPC_URL, else http://127.0.0.1:8545)
  --arbiter <addr>    contract address (default $ARBITER_ADDRESS; not for deploy)
  --key-env <NAME>    read the private key from $NAME instead of $ARBITER_PRIVATE_KEY
  -h, --help          this help

Files are JSON. An agreement file holds the agreement (amounts as decimal strings, as
core/agreement.ts AgreementSchema), or a signed file {agreement, lenderSignature, borrowerSignature}.
A signatures file is an array of {signer, signature} from sign-ruling.`;

const hexBytes = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})+$/, "expected 0x-prefixed hex bytes")
  .transform((s) => s as Hex);

const SignedAgreementFile = z.strictObject({
  agreement: AgreementSchema,
  lenderSignature: hexBytes,
  borrowerSignature: hexBytes,
});

const SignaturesFile = z
  .array(
    z.strictObject({
      signer: z
        .string()
        .regex(/^0x[0-9a-fA-F]{40}$/, "expected a 20-byte 0x-prefixed hex address")
        .transform((s) => getAddress(s)),
      signature: hexBytes,
    }),
  )
  .min(1, "expected at least one signature");

const options = {
  help: { type: "boolean", short: "h" },
  rpc: { type: "string" },
  arbiter: { type: "string" },
  "key-env": { type: "string" },
  "bond-token": { type: "string" },
  "bond-amount": { type: "string" },
  liveness: { type: "string" },
  window: { type: "string" },
  "alert-quorum": { type: "string" },
  governance: { type: "string" },
  agent: { type: "string" },
  protocol: { type: "string" },
  arbiters: { type: "string" },
  threshold: { type: "string" },
  file: { type: "string" },
  agreement: { type: "string" },
  amount: { type: "string" },
  evidence: { type: "string" },
  "evidence-file": { type: "string" },
  winner: { type: "string" },
  close: { type: "boolean" },
  signatures: { type: "string" },
  nonce: { type: "string" },
  id: { type: "string" },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (error as Error).message;
    throw new CliInputError(`Cannot read the ${what} file ${path}: ${reason}.`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliInputError(`The ${what} file ${path} is not valid JSON: ${(error as Error).message}.`);
  }
}

function parseFile<T>(schema: z.ZodType<T>, value: unknown, path: string, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new CliInputError(`The ${what} file ${path} is invalid:\n${z.prettifyError(result.error)}`);
}

/** An agreement file: a bare agreement, or a signed file whose `agreement` is used. */
function readAgreement(path: string | undefined): Agreement {
  if (!path) throw new CliInputError("Missing --agreement <file>.", "Pass the agreement's JSON file.");
  const json = readJson(path, "agreement");
  const inner =
    json && typeof json === "object" && "agreement" in json
      ? (json as { agreement: unknown }).agreement
      : json;
  return parseFile(AgreementSchema, inner, path, "agreement");
}

function required(values: Values, name: keyof Values): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new CliInputError(`Missing --${name}.`, "See --help.");
  return v;
}

function address(value: string, flag: string): Address {
  if (!isAddress(value, { strict: false })) {
    throw new CliInputError(`--${flag} ${value} is not an address.`, "Expected 0x and 40 hex digits.");
  }
  return getAddress(value);
}

function bigintFlag(value: string, flag: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(value)) {
    throw new CliInputError(
      `--${flag} ${value} is not a non-negative integer.`,
      "Amounts are in base units.",
    );
  }
  return BigInt(value);
}

function smallFlag(value: string, flag: string): number {
  const n = bigintFlag(value, flag);
  if (n > 0xffffffffn) throw new CliInputError(`--${flag} ${value} is too large.`);
  return Number(n);
}

function winnerFlag(value: string): Party {
  const map: Record<string, Party> = { lender: "Lender", borrower: "Borrower", none: "None" };
  const p = map[value.toLowerCase()];
  if (!p) throw new CliInputError(`--winner ${value} is not lender, borrower or none.`);
  return p;
}

function evidenceHash(values: Values): Hex {
  if (values.evidence && values["evidence-file"]) {
    throw new CliInputError("Pass either --evidence or --evidence-file, not both.");
  }
  if (values["evidence-file"]) {
    try {
      return keccak256(readFileSync(values["evidence-file"]));
    } catch (error) {
      throw new CliInputError(
        `Cannot read the evidence file ${values["evidence-file"]}: ${(error as Error).message}.`,
      );
    }
  }
  const e = values.evidence;
  if (!e) throw new CliInputError("Missing --evidence <0x hash> or --evidence-file <path>.");
  if (!/^0x[0-9a-fA-F]{64}$/.test(e)) throw new CliInputError(`--evidence ${e} is not a 32-byte 0x hash.`);
  return e as Hex;
}

function privateKey(values: Values, env: CliIo["env"]): Hex {
  const name = values["key-env"] ?? "ARBITER_PRIVATE_KEY";
  const key = env[name];
  if (!key) {
    throw new CliInputError(
      `No private key: $${name} is not set.`,
      `Export the signing account's key as ${name} (0x and 64 hex digits); it is never printed.`,
    );
  }
  if (!/^0x[0-9a-fA-F]{64}$/.test(key)) {
    throw new CliInputError(`$${name} is not a private key (expected 0x and 64 hex digits).`);
  }
  return key as Hex;
}

export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\nRun with --help for usage.`);
    return 2;
  }
  const command = positionals[0];
  if (values.help || !command) {
    io.stdout(HELP);
    return command || values.help ? 0 : 2;
  }
  if (positionals.length > 1) {
    io.stderr(`Unexpected argument: ${positionals[1]}. Run with --help for usage.`);
    return 2;
  }
  const print = (value: unknown) => io.stdout(JSON.stringify(JSON.parse(toJson(value)), null, 2));

  try {
    const rpcUrl = values.rpc ?? io.env.ARBITER_RPC_URL ?? "http://127.0.0.1:8545";
    const wallet = (): ArbiterClients =>
      createArbiterClients({ rpcUrl, privateKey: privateKey(values, io.env) });
    const arbiter = (): Address => {
      const a = values.arbiter ?? io.env.ARBITER_ADDRESS;
      if (!a)
        throw new CliInputError("No arbiter address.", "Pass --arbiter <address> or set $ARBITER_ADDRESS.");
      return address(a, "arbiter");
    };
    const tx = (r: { hash: Hex; receipt: { gasUsed: bigint; blockNumber: bigint } }) => ({
      hash: r.hash,
      block: r.receipt.blockNumber,
      gasUsed: r.receipt.gasUsed,
    });

    switch (command) {
      case "deploy": {
        const r = await deployArbiter({
          clients: wallet(),
          bondToken: address(required(values, "bond-token"), "bond-token"),
          bondAmount: values["bond-amount"] ? bigintFlag(values["bond-amount"], "bond-amount") : undefined,
          liveness: values.liveness ? bigintFlag(values.liveness, "liveness") : undefined,
          arbitrationWindow: values.window ? bigintFlag(values.window, "window") : undefined,
          alertQuorum: values["alert-quorum"] ? smallFlag(values["alert-quorum"], "alert-quorum") : undefined,
          governance: values.governance ? address(values.governance, "governance") : undefined,
        });
        print({ arbiter: r.address, ...tx(r) });
        return 0;
      }
      case "register": {
        const agent = address(required(values, "agent"), "agent");
        const protocolId = required(values, "protocol");
        if (new TextEncoder().encode(protocolId).length > 32 && !/^0x[0-9a-fA-F]{64}$/.test(protocolId)) {
          throw new CliInputError(`--protocol ${protocolId} is longer than 32 bytes.`);
        }
        print({
          agent,
          protocolId,
          ...tx(await registerAgent({ clients: wallet(), arbiter: arbiter(), agent, protocolId })),
        });
        return 0;
      }
      case "deregister": {
        const agent = address(required(values, "agent"), "agent");
        print({ agent, ...tx(await deregisterAgent({ clients: wallet(), arbiter: arbiter(), agent })) });
        return 0;
      }
      case "set-arbiters": {
        const arbiters = required(values, "arbiters")
          .split(",")
          .map((a) => address(a.trim(), "arbiters"));
        const threshold = smallFlag(required(values, "threshold"), "threshold");
        print({
          arbiters,
          threshold,
          ...tx(await setArbiters({ clients: wallet(), arbiter: arbiter(), arbiters, threshold })),
        });
        return 0;
      }
      case "settle": {
        const path = required(values, "file");
        const signed = parseFile(
          SignedAgreementFile,
          readJson(path, "signed agreement"),
          path,
          "signed agreement",
        );
        const r = await settle({ clients: wallet(), arbiter: arbiter(), ...signed });
        print({ id: r.id, ...tx(r) });
        return 0;
      }
      case "repay": {
        const agreement = readAgreement(values.agreement);
        const amount = values.amount ? bigintFlag(values.amount, "amount") : undefined;
        print(tx(await repay({ clients: wallet(), arbiter: arbiter(), agreement, amount })));
        return 0;
      }
      case "claim-default":
        print(
          tx(
            await claimDefault({
              clients: wallet(),
              arbiter: arbiter(),
              agreement: readAgreement(values.agreement),
            }),
          ),
        );
        return 0;
      case "call-loan":
        print(
          tx(
            await callLoan({
              clients: wallet(),
              arbiter: arbiter(),
              agreement: readAgreement(values.agreement),
            }),
          ),
        );
        return 0;
      case "dispute":
      case "counter-dispute": {
        const agreement = readAgreement(values.agreement);
        const hash = evidenceHash(values);
        const act = command === "dispute" ? dispute : counterDispute;
        print({
          evidenceHash: hash,
          ...tx(await act({ clients: wallet(), arbiter: arbiter(), agreement, evidenceHash: hash })),
        });
        return 0;
      }
      case "sign-ruling": {
        const agreement = readAgreement(values.agreement);
        const winner = winnerFlag(required(values, "winner"));
        const a = arbiter();
        const clients = createArbiterClients({ rpcUrl, privateKey: privateKey(values, io.env) });
        const chainId = await clients.public.getChainId();
        const loanId = hashAgreement({ chainId, verifyingContract: a }, agreement);
        const d = await getDispute({ clients, arbiter: a, id: loanId });
        if (!d.open) throw new CliInputError(`Loan ${loanId} has no open dispute to rule on.`);
        const signer = createSigner(privateKey(values, io.env));
        print(
          signRuling(
            { chainId, verifyingContract: a },
            { loanId, round: d.round, winner, closeLoan: values.close ?? false },
            signer,
          ),
        );
        return 0;
      }
      case "rule": {
        const agreement = readAgreement(values.agreement);
        const winner = winnerFlag(required(values, "winner"));
        const path = required(values, "signatures");
        const signatures = parseFile(SignaturesFile, readJson(path, "signatures"), path, "signatures");
        const r = await rule({
          clients: wallet(),
          arbiter: arbiter(),
          agreement,
          winner,
          closeLoan: values.close ?? false,
          signatures,
        });
        print(tx(r));
        return 0;
      }
      case "resolve":
        print(
          tx(
            await resolve({
              clients: wallet(),
              arbiter: arbiter(),
              agreement: readAgreement(values.agreement),
            }),
          ),
        );
        return 0;
      case "invalidate-nonce": {
        const nonce = bigintFlag(required(values, "nonce"), "nonce");
        print({ nonce, ...tx(await invalidateNonce({ clients: wallet(), arbiter: arbiter(), nonce })) });
        return 0;
      }
      case "status": {
        const a = arbiter();
        const clients = createArbiterReadClients({ rpcUrl });
        let agreement: Agreement | undefined;
        let id: Hex;
        if (values.agreement) {
          agreement = readAgreement(values.agreement);
          id = hashAgreement({ chainId: await clients.public.getChainId(), verifyingContract: a }, agreement);
        } else {
          const raw = required(values, "id");
          if (!/^0x[0-9a-fA-F]{64}$/.test(raw))
            throw new CliInputError(`--id ${raw} is not a 32-byte 0x loan id.`);
          id = raw.toLowerCase() as Hex;
          agreement = (await getSettledAgreement({ clients, arbiter: a, id }))?.agreement;
        }
        const [loan, disputeState, risk] = await Promise.all([
          agreement ? getLoan({ clients, arbiter: a, id, agreement }) : getLoan({ clients, arbiter: a, id }),
          getDispute({ clients, arbiter: a, id }),
          getRiskLevel({ clients, arbiter: a }),
        ]);
        print({ loan, dispute: disputeState.round === 0 ? null : disputeState, riskLevel: risk.level });
        return 0;
      }
      default:
        io.stderr(`Unknown command: ${command}. Run with --help for usage.`);
        return 2;
    }
  } catch (error) {
    if (error instanceof CliInputError) {
      io.stderr(error.message);
      return 2;
    }
    if (error instanceof ArbiterRevertError || error instanceof ArbiterTransactionRevertedError) {
      io.stderr(`${error.name}: ${error.shortMessage}\n${error.metaMessages.join("\n")}`);
      return 1;
    }
    if (error instanceof Error) {
      // viem errors carry a shortMessage; never echo the environment or the key.
      const short = (error as { shortMessage?: string }).shortMessage ?? error.message.split("\n")[0];
      io.stderr(`${error.name}: ${short}`);
      return 1;
    }
    io.stderr(String(error));
    return 1;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  runCli(process.argv.slice(2), {
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
