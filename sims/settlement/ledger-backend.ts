/**
 * Settlement on the in-process ledger: the contract's logic without a chain, on the engine's
 * books. Fast (no transactions) and the same results as the chain; what large sweeps and the
 * JetStream workers use.
 */
import type { Address } from "viem";
import type { ArbiterDomain } from "../../core/agreement.ts";
import { createEngineBank } from "../engine/engine-bank.ts";
import { LedgerRevertError } from "../ledger/errors.ts";
import { createLedger } from "../ledger/ledger.ts";
import { createLedgerSettlementPort } from "../ledger/ledger-settlement-port.ts";
import { createEngineMarginOracle } from "./engine-margin-oracle.ts";
import {
  type EngineSettlementPort,
  emptySettlementStats,
  type PostedAlert,
  type SettlementBackend,
  type SettlementStats,
} from "./settlement-backend.ts";

/** Where the ledger keeps escrowed collateral on the engine's books. */
export const LEDGER_ESCROW: Address = "0x000000000000000000000000000000000000e5c0";

export function createLedgerBackend(): SettlementBackend {
  const stats = emptySettlementStats();
  let open = false;
  return {
    kind: "ledger",
    tokens: async () => undefined,
    async openRun({ world, now }) {
      if (open) throw new Error("ledger backend: a run is already open; close it first");
      open = true;
      const domain: ArbiterDomain = { chainId: 31337, verifyingContract: LEDGER_ESCROW };
      const marginOracle = createEngineMarginOracle(world);
      // The contract's riskLevel(): the last alert's level until it expires, then 0.
      let alert: PostedAlert = { level: 0, expiresSec: 0n };
      const ledger = createLedger({
        address: LEDGER_ESCROW,
        bank: createEngineBank(world, LEDGER_ESCROW),
        now,
        domain,
        marginOracle,
        riskLevel: () => (now() < alert.expiresSec ? alert.level : 0),
      });
      const ports = new Map<number, EngineSettlementPort>();
      return {
        domain,
        port(i) {
          let port = ports.get(i);
          if (!port) {
            port = counted(
              createLedgerSettlementPort({ ledger, caller: world.protocols[i]!.address, marginOracle }),
              stats,
            );
            ports.set(i, port);
          }
          return port;
        },
        postAlert: async (next) => {
          alert = next;
          stats.alerts++;
        },
        onEvent: (listener) => ledger.onEvent(listener),
        close: async () => {
          open = false;
        },
      };
    },
    stats: () => ({ ...stats }),
    chain: () => undefined,
    close: async () => {},
  };
}

/** Counts calls and refusals the way the chain backend does. */
function counted(port: EngineSettlementPort, stats: SettlementStats): EngineSettlementPort {
  const count = async <T>(
    kind: "settle" | "repay" | "claimDefault" | "liquidate" | "topUp",
    call: () => Promise<T>,
  ): Promise<T> => {
    try {
      const result = await call();
      stats[kind]++;
      return result;
    } catch (error) {
      if (error instanceof LedgerRevertError) stats.refused++;
      throw error;
    }
  };
  return {
    settle: (p) => count("settle", () => port.settle(p)),
    repay: (p) => count("repay", () => port.repay(p)),
    claimDefault: (p) => count("claimDefault", () => port.claimDefault(p)),
    liquidate: (p) => count("liquidate", () => port.liquidate(p)),
    topUp: (p) => count("topUp", () => port.topUp(p)),
    loanHealth: (p) => port.loanHealth(p),
    status: (id) => port.status(id),
    ...(port.loan ? { loan: port.loan } : {}),
    settlementTx: (id) => port.settlementTx(id),
    withdraw: (p) => port.withdraw(p),
    collect: (p) => port.collect(p),
  };
}
