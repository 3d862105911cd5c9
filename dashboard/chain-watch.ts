/**
 * The arbiter as the dashboard follows it: every loan event (Settled, Repaid, DefaultClaimed,
 * LoanCalled, Disputed, Ruled), every AlertRaised, and the system risk level (riskLevel()), read
 * by polling from the block after the last one seen. Each becomes a dashboard input.
 */
import { type Address, erc20Abi, type Hex } from "viem";
import { createArbiterReadClients } from "../arbitration/clients.ts";
import { getRiskLevel } from "../arbitration/get-risk-level.ts";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import type { Logger } from "../core/log.ts";
import type { DashboardInput, LoanEventInput } from "./inputs.ts";

export type WatchChainParameters = {
  rpcUrl: string;
  arbiter: Address;
  /** Poll period, ms. Default 500. */
  pollMs?: number;
  onInput: (input: DashboardInput) => void;
  log: Logger;
};

const LOAN_EVENTS = new Set(["Settled", "Repaid", "DefaultClaimed", "LoanCalled", "Disputed", "Ruled"]);

type Args = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "bigint" ? v.toString() : String(v));

export function watchChain(p: WatchChainParameters): { stop(): void; poll(): Promise<void> } {
  const clients = createArbiterReadClients({ rpcUrl: p.rpcUrl });
  let fromBlock = 0n;
  let level = -1;
  let expiresAt = "";
  let stopped = false;
  let polling: Promise<void> | undefined;
  const known = new Set<string>();
  const learnToken = async (address: Address) => {
    if (known.has(address.toLowerCase())) return;
    known.add(address.toLowerCase());
    try {
      const read = <F extends "symbol" | "decimals">(functionName: F) =>
        clients.public.readContract({ address, abi: erc20Abi, functionName });
      const [symbol, decimals] = await Promise.all([read("symbol"), read("decimals")]);
      p.onInput({ type: "token", address, symbol, decimals });
    } catch {
      // Not an ERC-20 with metadata: amounts stay in base units.
    }
  };

  const once = async () => {
    const toBlock = await clients.public.getBlockNumber({ cacheTime: 0 });
    // The level and the events of one read go out together: the level first, so a page never
    // shows a new alert beside the level from before it.
    const [logs, risk] = await Promise.all([
      toBlock >= fromBlock
        ? clients.public.getContractEvents({
            address: p.arbiter,
            abi: liquidityArbiterAbi,
            fromBlock,
            toBlock,
          })
        : Promise.resolve([]),
      getRiskLevel({ clients, arbiter: p.arbiter }),
    ]);
    if (risk.level !== level || str(risk.expiresAt) !== expiresAt) {
      level = risk.level;
      expiresAt = str(risk.expiresAt);
      p.onInput({ type: "riskLevel", level, expiresAt });
    }
    for (const log of logs) {
      const args = (log.args ?? {}) as Args;
      const base = { txHash: log.transactionHash as Hex, blockNumber: str(log.blockNumber) };
      if (log.eventName === "AlertRaised") {
        p.onInput({
          type: "alert",
          level: Number(args.level),
          evidenceHash: args.evidenceHash as Hex,
          issuedAt: str(args.issuedAt),
          expiresAt: str(args.expiresAt),
          signers: (args.signers as Address[]) ?? [],
          txHash: base.txHash,
        });
      } else if (LOAN_EVENTS.has(log.eventName)) {
        const input: LoanEventInput = {
          type: "loan",
          event: log.eventName as LoanEventInput["event"],
          id: args.id as Hex,
          ...base,
        };
        if (log.eventName === "Settled") {
          const a = args.agreement as Args;
          input.agreement = {
            sessionId: a.sessionId as Hex,
            lender: a.lender as Address,
            borrower: a.borrower as Address,
            principalToken: a.principalToken as Address,
            principal: str(a.principal),
            collateralToken: a.collateralToken as Address,
            collateral: str(a.collateral),
            rateBps: Number(a.rateBps),
            tenor: Number(a.tenor),
          };
          input.maturity = str(args.maturity);
          input.amountDue = str(args.amountDue);
          await Promise.all([
            learnToken(input.agreement.principalToken),
            learnToken(input.agreement.collateralToken),
          ]);
        } else if (log.eventName === "Repaid") input.outstanding = str(args.outstanding);
        else if (log.eventName === "LoanCalled") input.maturity = str(args.maturity);
        p.onInput(input);
      }
    }
    if (toBlock >= fromBlock) fromBlock = toBlock + 1n;
  };
  const poll = () => {
    polling ??= once().finally(() => {
      polling = undefined;
    });
    return polling;
  };
  const loop = async () => {
    while (!stopped) {
      try {
        await poll();
      } catch (err) {
        p.log.warn("chain poll failed", {
          error: err instanceof Error ? err.message.split("\n")[0] : String(err),
        });
      }
      await new Promise((r) => setTimeout(r, p.pollMs ?? 500));
    }
  };
  void loop();
  return {
    poll,
    stop: () => {
      stopped = true;
    },
  };
}
