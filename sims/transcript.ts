/**
 * Turns agent activity into lines a person reads: who asked, offered, countered, agreed, and
 * what happened on-chain. Amounts are formatted with token decimals, rates as percentages.
 */
import { type Address, formatUnits } from "viem";
import type { Activity } from "../agents/agent.ts";

export type TokenBook = Map<string, { symbol: string; decimals: number }>;

export type TranscriptParameters = {
  tokens: TokenBook;
  /** Display names of agent addresses. */
  names: Map<string, string>;
  /** Wall-clock origin for the elapsed-time column. */
  start?: number;
  write?: (line: string) => void;
};

export function formatAmount(tokens: TokenBook, token: Address, amount: bigint): string {
  const t = tokens.get(token.toLowerCase());
  if (!t) return `${amount} (${token})`;
  const n = Number(formatUnits(amount, t.decimals));
  return `${n.toLocaleString("en-US", { maximumFractionDigits: 4 })} ${t.symbol}`;
}

export const formatRate = (bps: number) => `${(bps / 100).toFixed(2)}%`;

export function formatTenor(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400}d`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600}h`;
  return `${seconds}s`;
}

type Terms = {
  principal: bigint;
  rateBps: number;
  tenor: number;
  collateralToken: Address;
  collateral: bigint;
  haircutBps: number;
};

export function createTranscript(p: TranscriptParameters) {
  const start = p.start ?? Date.now();
  const write = p.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const name = (a: string) => p.names.get(a.toLowerCase()) ?? `${a.slice(0, 8)}…`;
  const terms = (principalToken: Address | undefined, t: Terms) =>
    `${principalToken ? formatAmount(p.tokens, principalToken, t.principal) : t.principal} at ${formatRate(t.rateBps)} for ${formatTenor(t.tenor)}, collateral ${formatAmount(p.tokens, t.collateralToken, t.collateral)} (haircut ${formatRate(t.haircutBps)})`;
  const principalTokenOf = new Map<string, Address>();
  let at = start;
  const line = (text: string) => write(`  ${`+${((at - start) / 1000).toFixed(3)}s`.padStart(9)}  ${text}`);

  /** Prints one activity; `when` is when it happened (default now), so buffered activity keeps its timing. */
  return (a: Activity, when: number = Date.now()) => {
    at = when;
    if (a.type === "sent") {
      const b = a.body as Record<string, unknown>;
      const token = principalTokenOf.get(a.sessionId);
      const to = a.to === "broadcast" ? "all lenders" : name(a.to);
      switch (a.kind) {
        case "rfq": {
          const r = b as {
            principalToken: Address;
            principal: bigint;
            maxRateBps: number;
            tenor: number;
            collateralToken: Address;
            collateral: bigint;
          };
          principalTokenOf.set(a.sessionId, r.principalToken);
          line(
            `${a.agent} → ${to}   RFQ     borrow ${formatAmount(p.tokens, r.principalToken, r.principal)} for ${formatTenor(r.tenor)}, at most ${formatRate(r.maxRateBps)}, pledging up to ${formatAmount(p.tokens, r.collateralToken, r.collateral)}`,
          );
          return;
        }
        case "offer":
          line(`${a.agent} → ${to}   OFFER   ${terms(token, (b as { terms: Terms }).terms)}`);
          return;
        case "accept":
          line(`${a.agent} → ${to}   ACCEPT  and signs the EIP-712 Agreement`);
          return;
        case "confirm":
          line(
            `${a.agent} → ${to}   CONFIRM countersigns agreement ${String((b as { agreementId: string }).agreementId).slice(0, 18)}…`,
          );
          return;
        case "reject":
          line(`${a.agent} → ${to}   REJECT  ${(b as { reason: string }).reason}`);
          return;
      }
      return;
    }
    if (a.type === "received" && a.kind === "rfq") {
      principalTokenOf.set(a.sessionId, (a.body as { principalToken: Address }).principalToken);
      return;
    }
    if (a.type === "session") {
      const o = a.outcome;
      line(
        `${a.agent}: session with ${name(a.peer)} ended ${o.status.toUpperCase()} after ${o.rounds} offer(s) of its own${o.status === "failed" ? ` (${o.reason})` : ""}`,
      );
      return;
    }
    if (a.type === "report") {
      if (a.what === "settled") line(`${a.agent}: SETTLED on-chain, tx ${String(a.data.txHash)}`);
      else if (a.what === "repaid")
        line(`${a.agent}: REPAID, collateral released, tx ${String(a.data.txHash)}`);
      else if (a.what === "loan closed") line(`${a.agent}: loan closed (${String(a.data.status)})`);
      else if (a.what !== "rfq declined") line(`${a.agent}: ${a.what}`);
    }
  };
}
