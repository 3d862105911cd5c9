/**
 * The live settlement run (second half of `npm run sim`, alone with `npm run sim:live`): real
 * agents negotiate over a message bus with signed offers and settle on the LiquidityArbiter on a
 * local anvil chain started and stopped here; prints the transcript, tx hashes and balances.
 */
import { parseArgs } from "node:util";
import { formatUnits } from "viem";
import { startAnvil } from "../arbitration/anvil.ts";
import { asRpcUnreachable, probeRpc } from "../arbitration/rpc-unreachable.ts";
import { amountDue } from "../core/agreement.ts";
import { createLogger, type LogLevel } from "../core/log.ts";
import { runCliIfMain } from "../core/run-cli.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { createNatsTransport } from "../negotiation/transport/nats.ts";
import type { Transport } from "../negotiation/transport/transport.ts";
import { type Balances, runFoundationScenario } from "./foundation-scenario.ts";
import { createTranscript, formatRate, type TokenBook } from "./transcript.ts";

export const LIVE_HELP = `Usage: npm run sim:live [-- options]

Runs the foundation scenario: a perp exchange short of USDC (agent B) borrows from a lending
market with spare cash (agent A). The agents negotiate over a message bus with signed offers,
both sign the agreement, B settles it on the LiquidityArbiter contract on a local anvil chain,
then repays and gets its collateral back.

Options:
  --transport <bus|nats>   message transport (default: bus, the in-process bus)
  --nats-url <url>         NATS server for --transport nats (default: $NATS_URL or 127.0.0.1:4222)
  --rpc-url <url>          use a running chain instead of starting anvil
  --log-level <level>      debug | info | warn | error (default: warn), logs go to stderr
  -h, --help               show this help
`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      transport: { type: "string", default: "bus" },
      "nats-url": { type: "string" },
      "rpc-url": { type: "string" },
      "log-level": { type: "string", default: "warn" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    process.stdout.write(LIVE_HELP);
    return;
  }
  if (values.transport !== "bus" && values.transport !== "nats") {
    throw new Error(`--transport must be "bus" or "nats", not "${values.transport}"`);
  }
  const log = createLogger({ level: values["log-level"] as LogLevel });
  const out = (line = "") => process.stdout.write(`${line}\n`);
  const step = (s: string) => out(`▸ ${s}`);

  let stopChain = async () => {};
  let rpcUrl = values["rpc-url"];
  if (rpcUrl) {
    // A chain we were given: say at once, in one line, if it does not answer.
    await probeRpc({ url: rpcUrl, hint: UNREACHABLE_HINT });
  } else {
    step("starting a local anvil chain");
    const anvil = await startAnvil();
    rpcUrl = anvil.rpcUrl;
    stopChain = () => anvil.stop();
    out(`  anvil at ${rpcUrl}`);
  }

  const transports: Transport[] = [];
  const bus = createInProcessBus();
  const natsUrl = values["nats-url"] ?? process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const createTransport = async (name: string) => {
    const t =
      values.transport === "nats"
        ? await createNatsTransport({ servers: natsUrl, name })
        : bus.createTransport({ name });
    transports.push(t);
    return t;
  };

  const tokens: TokenBook = new Map();
  const names = new Map<string, string>();
  const pending: Array<{ activity: Parameters<ReturnType<typeof createTranscript>>[0]; at: number }> = [];
  try {
    const result = await runFoundationScenario({
      rpcUrl,
      createTransport,
      log,
      onStep: (s) => {
        step(s);
        if (s === "negotiating") out();
      },
      onActivity: (a) => {
        // Token symbols are known once the scenario returns; keep the activity and its time.
        pending.push({ activity: a, at: Date.now() });
      },
    });
    tokens.set(result.tokens.usdc.toLowerCase(), { symbol: "USDC", decimals: 6 });
    tokens.set(result.tokens.weth.toLowerCase(), { symbol: "WETH", decimals: 18 });
    names.set(result.lender.address.toLowerCase(), result.lender.name);
    names.set(result.borrower.address.toLowerCase(), result.borrower.name);
    const transcript = createTranscript({ tokens, names, write: out, start: pending[0]?.at ?? Date.now() });

    out();
    out("Transcript");
    for (const { activity, at } of pending) transcript(activity, at);
    out();
    const ag = result.agreement;
    out("Agreement");
    out(`  ${result.borrower.name} borrows ${fmt(ag.principal, 6)} USDC from ${result.lender.name}`);
    out(
      `  at ${formatRate(ag.rateBps)} a year for ${ag.tenor / 86_400} days, against ${fmt(ag.collateral, 18)} WETH`,
    );
    out(`  repaid ${fmt(amountDue(ag), 6)} USDC (principal + interest)`);
    out(`  settle tx ${result.txs.settle}`);
    out(`  repay tx  ${result.txs.repay}`);
    out(`  contract  ${result.arbiter}, loan status ${result.loan.status}`);
    out();
    out("Balances (USDC / WETH)");
    printBalances(out, result.balances, {
      lender: result.lender.name,
      borrower: result.borrower.name,
      arbiter: `arbiter escrow`,
      traders: "B's traders",
    });
  } catch (error) {
    throw asRpcUnreachable(error, rpcUrl, UNREACHABLE_HINT) ?? error;
  } finally {
    await Promise.all(transports.map((t) => t.close()));
    await stopChain();
  }
}

const UNREACHABLE_HINT = "Start it, or omit --rpc-url to let sim:live start a local anvil.";

/** One line per error for the terminal: viem's messages carry the whole request (for a deployment,
 *  the contract's bytecode). */
export function describeFailure(err: unknown): string {
  if (err instanceof Error) {
    const short = (err as { shortMessage?: string }).shortMessage;
    const meta = (err as { metaMessages?: string[] }).metaMessages;
    if (err.name === "RpcUnreachableError") return [short, ...(meta ?? [])].join("\n");
    return short ?? err.message.split("\n")[0]!;
  }
  return String(err);
}

const fmt = (v: bigint, decimals: number) =>
  Number(formatUnits(v, decimals)).toLocaleString("en-US", { maximumFractionDigits: 2 });

function printBalances(
  out: (l?: string) => void,
  b: { before: Balances; settled: Balances; repaid: Balances },
  labels: Record<keyof Balances, string>,
) {
  const cols = ["before", "after settle", "after repay"];
  out(`  ${"".padEnd(22)}${cols.map((c) => c.padStart(26)).join("")}`);
  for (const who of Object.keys(labels) as Array<keyof Balances>) {
    const cells = [b.before, b.settled, b.repaid].map((s) =>
      `${fmt(s[who].usdc, 6)} / ${fmt(s[who].weth, 18)}`.padStart(26),
    );
    out(`  ${labels[who].padEnd(22)}${cells.join("")}`);
  }
}

runCliIfMain(import.meta.url, "sim", () => main().then(() => 0), describeFailure);
