/** What a risk agent reports as it works, and the clock it runs on. */
import type { Address, Hex } from "viem";
import type { RiskKind } from "../../negotiation/risk/risk-schemas.ts";

export type RiskActivity =
  | { type: "risk.sent"; agent: string; kind: RiskKind; sessionId: Hex; body: unknown }
  | { type: "risk.received"; agent: string; kind: RiskKind; from: Address; sessionId: Hex }
  | { type: "risk.refused"; agent: string; code: string; reason: string }
  | { type: "risk.held"; agent: string; id: Hex; level: number; signers: Address[] }
  | { type: "risk.stance"; agent: string; level: number; id?: Hex }
  | { type: "risk.posted"; agent: string; id: Hex; posted: boolean; hash?: Hex }
  | { type: "risk.submitFailed"; agent: string; id: Hex; error: string };

/** xstate's Clock (setTimeout/clearTimeout) that also tells the time, as SimulatedClock does. */
export type LoopClock = {
  // biome-ignore lint/suspicious/noExplicitAny: xstate's Clock signature
  setTimeout(fn: (...args: any[]) => void, timeout: number): any;
  // biome-ignore lint/suspicious/noExplicitAny: xstate's Clock signature
  clearTimeout(id: any): void;
  now(): number;
};
