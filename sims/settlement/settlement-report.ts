/**
 * Which settlement backend a study used and what settling cost: calls per kind, refusals, and on
 * the chain the arbiter transactions and their gas, in total and per mode. Goes into the study's
 * JSON and report, and under the summary table.
 */
import type { Mode } from "../engine/engine-policy.ts";
import type { ChainInfo, SettlementKind, SettlementStats } from "./settlement-backend.ts";

export type SettlementReport = {
  backend: SettlementKind;
  /** Where the chain was (chain backend only). */
  chain?: ChainInfo | undefined;
  /** Summed over the study's runs; undefined when the runs settled elsewhere (JetStream workers). */
  total: SettlementStats | undefined;
  /** Per mode (and swept value). */
  byMode: { mode: Mode; sweep: number | undefined; stats: SettlementStats }[];
};

const int = (x: number | bigint) => x.toLocaleString("en-US");

function calls(s: SettlementStats): string {
  const n = s.settle + s.repay + s.claimDefault + s.liquidate + s.topUp + s.alerts;
  if (n + s.refused === 0) return "no settlement calls";
  const margins =
    s.liquidate + s.topUp + s.alerts === 0
      ? ""
      : `, ${int(s.liquidate)} liquidate, ${int(s.topUp)} topUp, ${int(s.alerts)} raiseAlert`;
  const parts = `${int(s.settle)} settle, ${int(s.repay)} repay, ${int(s.claimDefault)} claimDefault${margins}`;
  return `${parts}${s.refused > 0 ? `, ${int(s.refused)} refused` : ""}`;
}

function gas(s: SettlementStats): string {
  if (s.arbiterTransactions === 0) return "";
  const per = s.arbiterGas / BigInt(s.arbiterTransactions);
  return `; ${int(s.arbiterTransactions)} transactions, ${int(s.arbiterGas)} gas (${int(per)} per transaction)`;
}

/** Plain-text lines for the terminal. */
export function settlementReportLines(r: SettlementReport): string[] {
  const modeLabel = (m: SettlementReport["byMode"][number]) =>
    m.mode + (m.sweep === undefined ? "" : ` @${m.sweep}`);
  if (r.backend === "ledger") {
    const head = "Settlement: in-process ledger (the contract's logic without a chain)";
    if (!r.total) return [`${head}, in the workers`];
    return [`${head}: ${calls(r.total)}`];
  }
  const c = r.chain;
  const where = c
    ? `LiquidityArbiter ${c.arbiter} on anvil at ${c.rpcUrl} (chain ${c.chainId}${c.startedAnvil ? ", started for this study" : ""})`
    : "LiquidityArbiter on anvil";
  const lines = [`Settlement: ${where}`];
  for (const m of r.byMode) lines.push(`  ${modeLabel(m)}: ${calls(m.stats)}${gas(m.stats)}`);
  if (r.total) {
    lines.push(
      `  total: ${calls(r.total)}${gas(r.total)}; payer balances set to the engine's ${int(r.total.balanceSets)} times`,
    );
  }
  return lines;
}
