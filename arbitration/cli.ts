/**
 * `npm run arbiter -- <command> [options]`: the LiquidityArbiter for contract callers, from a shell.
 * Results are printed as JSON on stdout (amounts as decimal strings); errors as text on stderr,
 * saying what was wrong and what to do. Exit codes: 0 ok, 1 the chain or contract refused (or could
 * not be reached), 2 bad input (usage, files, flags, environment, an address that is not an arbiter
 * or not a token).
 *
 * The signing key is read from an environment variable (ARBITER_PRIVATE_KEY, or the one named by
 * --key-env) and never printed.
 */
import { resolve as resolvePath } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Address, Hex } from "viem";
import { type Agreement, hashAgreement } from "../core/agreement.ts";
import { nonceOf } from "../core/agreement-nonce.ts";
import { BaseError } from "../core/errors.ts";
import { toJson } from "../core/schema.ts";
import { createSigner } from "../core/signer.ts";
import { callLoan } from "./call-loan.ts";
import { cancelAgreement } from "./cancel-agreement.ts";
import { claimDefault } from "./claim-default.ts";
import {
  buildAgreement,
  describeAgreement,
  signAgreementFile,
  writeJsonFile,
} from "./cli/agreement-commands.ts";
import { requireArbiter, requireCode } from "./cli/chain-checks.ts";
import {
  address,
  bigintFlag,
  CliInputError,
  type CliIo,
  evidenceHash,
  optional,
  options,
  parseFile,
  privateKey,
  readAgreement,
  readJson,
  required,
  SignaturesFile,
  SignedAgreementFile,
  smallFlag,
  type Values,
  winnerFlag,
} from "./cli/input.ts";
import { type ArbiterClients, createArbiterClients, createArbiterReadClients } from "./clients.ts";
import { counterDispute } from "./counter-dispute.ts";
import { deployArbiter } from "./deploy-arbiter.ts";
import { deployTestToken } from "./deploy-test-token.ts";
import { dispute } from "./dispute.ts";
import { packMinBond } from "./dispute-params.ts";
import { ArbiterRevertError, ArbiterTransactionRevertedError } from "./errors.ts";
import { getSettledAgreement } from "./events.ts";
import { getCredit } from "./get-credit.ts";
import { getDispute } from "./get-dispute.ts";
import { getDisputeTerms } from "./get-dispute-terms.ts";
import { getLoan } from "./get-loan.ts";
import { getRiskLevel } from "./get-risk-level.ts";
import { allowToken, deregisterAgent, disallowToken, registerAgent, setArbiters } from "./governance.ts";
import { invalidateNonce } from "./invalidate-nonce.ts";
import { mintTestToken } from "./mint-test-token.ts";
import { repay } from "./repay.ts";
import { resolve } from "./resolve.ts";
import { asRpcUnreachable } from "./rpc-unreachable.ts";
import { rule } from "./rule.ts";
import { settle } from "./settle.ts";
import { signRuling } from "./typed-data.ts";
import { withdrawCredit } from "./withdraw-credit.ts";

export { CliInputError, type CliIo } from "./cli/input.ts";

const HELP = `Usage: npm run arbiter -- <command> [options]

Commands (the account is the key in $ARBITER_PRIVATE_KEY unless noted):
 setting up
  deploy          [--bond-bps <n>] [--liveness <s>] [--window <s>] [--alert-quorum <n>]
                  [--governance <addr>] [--token <addr>=<minBond>]...
                                   deploy a LiquidityArbiter (bonds 100 bps of principal, liveness 1 day,
                                   window 3 days, quorum 2), listing each --token with its minimum bond
  deploy-token    --name <s> --symbol <s> [--decimals <n>] [--mint-to <addr> --amount <n>]
                                   deploy a freely mintable test ERC-20 (test chains only)
  allow-token     --token <addr> --min-bond <n>                  list a token for loans (governance)
  disallow-token  --token <addr>                                 refuse it in new loans (governance)
  register        --agent <addr> --protocol <id>                 add an agent (governance)
  deregister      --agent <addr>                                 remove an agent (governance)
  set-arbiters    --arbiters <a,b,c> --threshold <k>             k-of-n arbiter set (governance)
 agreements (no transaction)
  agreement       --lender <addr> --borrower <addr> --principal-token <addr> --principal <n>
                  --rate-bps <n> --tenor <s> [--collateral-token <addr> --collateral <n>]
                  [--lender-nonce <n>] [--borrower-nonce <n>] [--deadline <unix s> | --valid-for <s>]
                  [--call-risk-level <n>] [--session-id <0x..>] [--out <file>]
                                   build an agreement (no key needed; omitted nonces are fresh)
  sign-agreement  --agreement <file> [--out <file>]              add the key's signature as lender or
                                   borrower (run by each party; then settle --file)
 loans
  settle          --file <signed.json>                           settle {agreement, lenderSignature, borrowerSignature}
  repay           --agreement <file> [--amount <n>]              repay all, or <n> base units
  claim-default   --agreement <file>                             lender takes the collateral after maturity + grace
  call-loan       --agreement <file>                             lender calls a callable loan under a risk alert
  invalidate-nonce --nonce <n>                                   cancel your 128-bit nonce (your half of agreements')
  cancel-agreement --agreement <file>                            withdraw your signature from an unsettled agreement
  withdraw-credit --token <addr> [--to <addr>]                   withdraw payments the token refused to deliver
 disputes (loans past maturity only; bonds in the principal token)
  dispute         --agreement <file> (--evidence <0x hash> | --evidence-file <path>)
  counter-dispute --agreement <file> (--evidence <0x hash> | --evidence-file <path>)
  sign-ruling     --agreement <file> --winner <lender|borrower|none> [--close]
                                                                 an arbiter's signature, printed as JSON
  rule            --agreement <file> --winner <lender|borrower|none> [--close] --signatures <sigs.json>
  resolve         --agreement <file>                             default ruling after the deadline (the lender's position stands)
 reading (no key needed)
  status          (--agreement <file> | --id <0x loan id>)       loan, dispute terms, dispute and risk level
  credit          --token <addr> [--owner <addr>]                credit held for the owner (default: the key's account)

Options:
  --rpc <url>         JSON-RPC endpoint (default $ARBITER_RPC_URL, else http://127.0.0.1:8545)
  --arbiter <addr>    contract address (default $ARBITER_ADDRESS; not for deploy, deploy-token, agreement)
  --key-env <NAME>    read the private key from $NAME instead of $ARBITER_PRIVATE_KEY
  -h, --help          this help

Amounts are integers in token base units; times are unix seconds. Files are JSON. An agreement file
holds the agreement (amounts as decimal strings, as core/agreement.ts AgreementSchema), or a signed
file {agreement, lenderSignature, borrowerSignature}. A signatures file is an array of
{signer, signature} from sign-ruling. docs/ARBITRATION.md describes every field.`;

/** `--token <addr>=<minBond>` */
function tokenListing(value: string): { token: Address; minBond: bigint } {
  const [token, minBond] = value.split("=");
  if (!token || minBond === undefined)
    throw new CliInputError(
      `--token ${value} is not <address>=<minimum bond>.`,
      "e.g. --token 0xA0b8…=100000000",
    );
  return { token: address(token, "token"), minBond: minimumBond(minBond, "token") };
}

function minimumBond(value: string, flag: string): bigint {
  const minBond = bigintFlag(value, flag);
  try {
    packMinBond(minBond);
  } catch (error) {
    throw new CliInputError(
      `--${flag}: ${(error as BaseError).shortMessage}`,
      (error as BaseError).metaMessages.join(" "),
    );
  }
  return minBond;
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
  const rpcUrl = values.rpc ?? io.env.ARBITER_RPC_URL ?? "http://127.0.0.1:8545";

  try {
    const wallet = (): ArbiterClients =>
      createArbiterClients({ rpcUrl, privateKey: privateKey(values, io.env) });
    const read = () => createArbiterReadClients({ rpcUrl });
    /** The arbiter address, checked to hold a LiquidityArbiter. */
    const arbiter = async (): Promise<Address> => {
      const a = values.arbiter ?? io.env.ARBITER_ADDRESS;
      if (!a)
        throw new CliInputError("No arbiter address.", "Pass --arbiter <address> or set $ARBITER_ADDRESS.");
      const checked = address(a, "arbiter");
      await requireArbiter(read(), checked, rpcUrl);
      return checked;
    };
    const tx = (r: { hash: Hex; receipt: { gasUsed: bigint; blockNumber: bigint } }) => ({
      hash: r.hash,
      block: r.receipt.blockNumber,
      gasUsed: r.receipt.gasUsed,
    });
    const loanAction = async (
      act: (p: { clients: ArbiterClients; arbiter: Address; agreement: Agreement }) => Promise<{
        hash: Hex;
        receipt: { gasUsed: bigint; blockNumber: bigint };
      }>,
    ) => {
      const agreement = readAgreement(values.agreement);
      print(tx(await act({ clients: wallet(), arbiter: await arbiter(), agreement })));
      return 0;
    };

    switch (command) {
      case "deploy": {
        const listings = (values.token ?? []).map(tokenListing);
        const clients = wallet();
        // A token without code would be listed for nothing (and refused by the contract): say so first.
        for (const { token } of listings) await requireCode(clients, token);
        const r = await deployArbiter({
          clients,
          bondBps: optional(values, "bond-bps", (v, f) => smallFlag(v, f, 10_000)),
          liveness: optional(values, "liveness", bigintFlag),
          arbitrationWindow: optional(values, "window", bigintFlag),
          alertQuorum: optional(values, "alert-quorum", smallFlag),
          governance: optional(values, "governance", address),
        });
        const listed = [];
        for (const l of listings) {
          listed.push({ ...l, ...tx(await allowToken({ clients, arbiter: r.address, ...l })) });
        }
        print({ arbiter: r.address, ...tx(r), tokens: listed });
        return 0;
      }
      case "deploy-token": {
        const clients = wallet();
        const decimals = optional(values, "decimals", (v, f) => smallFlag(v, f, 255)) ?? 18;
        const r = await deployTestToken({
          clients,
          name: required(values, "name"),
          symbol: required(values, "symbol"),
          decimals,
        });
        const mintTo = optional(values, "mint-to", address);
        const amount = optional(values, "amount", bigintFlag);
        if ((mintTo === undefined) !== (amount === undefined))
          throw new CliInputError("--mint-to and --amount go together.");
        const minted =
          mintTo !== undefined && amount !== undefined
            ? tx(await mintTestToken({ clients, token: r.address, to: mintTo, amount }))
            : undefined;
        print({ token: r.address, decimals, ...tx(r), ...(minted ? { mint: minted } : {}) });
        return 0;
      }
      case "allow-token": {
        const tokens = values.token ?? [];
        if (tokens.length !== 1) throw new CliInputError("Pass exactly one --token <address>.");
        const token = address(tokens[0]!, "token");
        const minBond = minimumBond(required(values, "min-bond"), "min-bond");
        const clients = wallet();
        const a = await arbiter();
        print({ token, minBond, ...tx(await allowToken({ clients, arbiter: a, token, minBond })) });
        return 0;
      }
      case "disallow-token": {
        const tokens = values.token ?? [];
        if (tokens.length !== 1) throw new CliInputError("Pass exactly one --token <address>.");
        const token = address(tokens[0]!, "token");
        print({ token, ...tx(await disallowToken({ clients: wallet(), arbiter: await arbiter(), token })) });
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
          ...tx(await registerAgent({ clients: wallet(), arbiter: await arbiter(), agent, protocolId })),
        });
        return 0;
      }
      case "deregister": {
        const agent = address(required(values, "agent"), "agent");
        print({
          agent,
          ...tx(await deregisterAgent({ clients: wallet(), arbiter: await arbiter(), agent })),
        });
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
          ...tx(await setArbiters({ clients: wallet(), arbiter: await arbiter(), arbiters, threshold })),
        });
        return 0;
      }
      case "agreement": {
        const agreement = buildAgreement(values, BigInt(Math.floor(Date.now() / 1000)));
        if (values.out) writeJsonFile(values.out, agreement, false);
        print(describeAgreement(agreement));
        return 0;
      }
      case "sign-agreement": {
        const path = required(values, "agreement");
        const a = await arbiter();
        const chainId = await read().public.getChainId();
        const { signed, role, id } = signAgreementFile({
          path,
          privateKey: privateKey(values, io.env),
          chainId,
          arbiter: a,
        });
        if (values.out) writeJsonFile(values.out, signed, resolvePath(values.out) === resolvePath(path));
        print({ ...signed, signedAs: role, id });
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
        const r = await settle({ clients: wallet(), arbiter: await arbiter(), ...signed });
        print({ id: r.id, ...tx(r) });
        return 0;
      }
      case "repay": {
        const agreement = readAgreement(values.agreement);
        const amount = optional(values, "amount", bigintFlag);
        print(tx(await repay({ clients: wallet(), arbiter: await arbiter(), agreement, amount })));
        return 0;
      }
      case "claim-default":
        return await loanAction(claimDefault);
      case "call-loan":
        return await loanAction(callLoan);
      case "cancel-agreement":
        return await loanAction(cancelAgreement);
      case "dispute":
      case "counter-dispute": {
        const agreement = readAgreement(values.agreement);
        const hash = evidenceHash(values);
        const act = command === "dispute" ? dispute : counterDispute;
        print({
          evidenceHash: hash,
          ...tx(await act({ clients: wallet(), arbiter: await arbiter(), agreement, evidenceHash: hash })),
        });
        return 0;
      }
      case "sign-ruling": {
        const agreement = readAgreement(values.agreement);
        const winner = winnerFlag(required(values, "winner"));
        const a = await arbiter();
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
          arbiter: await arbiter(),
          agreement,
          winner,
          closeLoan: values.close ?? false,
          signatures,
        });
        print(tx(r));
        return 0;
      }
      case "resolve":
        return await loanAction(resolve);
      case "invalidate-nonce": {
        const nonce = bigintFlag(required(values, "nonce"), "nonce");
        if (nonce === 0n || nonce >= 1n << 128n)
          throw new CliInputError(
            `--nonce ${nonce} is not a party's nonce (1 .. 2^128 - 1).`,
            "Pass your own half of the agreement's nonce: the lender's is nonce >> 128, the borrower's nonce & (2^128 - 1).",
          );
        print({
          nonce,
          ...tx(await invalidateNonce({ clients: wallet(), arbiter: await arbiter(), nonce })),
        });
        return 0;
      }
      case "withdraw-credit": {
        const tokens = values.token ?? [];
        if (tokens.length !== 1) throw new CliInputError("Pass exactly one --token <address>.");
        const token = address(tokens[0]!, "token");
        const to = optional(values, "to", address);
        const r = await withdrawCredit({ clients: wallet(), arbiter: await arbiter(), token, to });
        print({ token, paid: r.paid, ...tx(r) });
        return 0;
      }
      case "credit": {
        const tokens = values.token ?? [];
        if (tokens.length !== 1) throw new CliInputError("Pass exactly one --token <address>.");
        const token = address(tokens[0]!, "token");
        const owner = optional(values, "owner", address) ?? createSigner(privateKey(values, io.env)).address;
        const credit = await getCredit({ clients: read(), arbiter: await arbiter(), owner, token });
        print({ owner, token, credit });
        return 0;
      }
      case "status": {
        const a = await arbiter();
        const clients = read();
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
        const settled = loan.status !== "None" && loan.status !== "Cancelled";
        const terms =
          agreement && settled ? await getDisputeTerms({ clients, arbiter: a, agreement }) : undefined;
        print({
          loan,
          ...(agreement
            ? { nonces: { lender: nonceOf(agreement, "lender"), borrower: nonceOf(agreement, "borrower") } }
            : {}),
          ...(terms ? { disputeTerms: terms } : {}),
          dispute: disputeState.round === 0 ? null : disputeState,
          riskLevel: risk.level,
        });
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
    const unreachable = asRpcUnreachable(error, rpcUrl);
    if (unreachable) {
      io.stderr(unreachable.message);
      return 1;
    }
    if (error instanceof BaseError && error.name === "ArbiterTokenWithoutCodeError") {
      io.stderr(error.message);
      return 2;
    }
    if (error instanceof BaseError && /^Arbiter(DisputeParams|MinBond)Error$/.test(error.name)) {
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
