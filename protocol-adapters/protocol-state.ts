/**
 * What an adapter reports about its protocol. Versioned and zod-validated because an adapter
 * may live in another process (or be written by an integrator we have never met).
 */
import { z } from "zod";
import { address, smallUint, uint } from "../core/schema.ts";

export const PROTOCOL_STATE_VERSION = 0;

export const ProtocolKind = z.enum(["lending", "amm", "perp", "vault"]);
export type ProtocolKind = z.infer<typeof ProtocolKind>;

const signedInt = z
  .string()
  .regex(/^-?(0|[1-9][0-9]*)$/, "expected a decimal integer string")
  .transform((s) => BigInt(s));

export const ProtocolStateSchema = z.strictObject({
  v: z.literal(PROTOCOL_STATE_VERSION),
  protocolId: z.string().min(1).max(64),
  kind: ProtocolKind,
  /** Unix seconds of the observation. */
  timestamp: smallUint(2 ** 40),
  /** Per-token liquidity position. `net` > 0 is surplus the protocol can lend; < 0 is a
   *  shortfall it must fund. Both in base units. */
  liquidity: z
    .array(
      z.strictObject({
        token: address,
        symbol: z.string().max(16),
        decimals: smallUint(36),
        /** Tokens held and free to move. */
        liquid: uint(256),
        /** Surplus (> 0) or shortfall (< 0) against the protocol's own liquidity target. */
        net: signedInt,
      }),
    )
    .max(64),
  /** Assets the protocol can pledge as collateral, base units. */
  pledgeable: z.array(z.strictObject({ token: address, amount: uint(256) })).max(64),
  /** Oracle prices, USD with 8 decimals (Chainlink convention). */
  prices: z.array(z.strictObject({ token: address, usd8: uint(256) })).max(64),
  /** What idle liquidity earns inside the protocol (a lender's floor), bps per year. */
  opportunityRateBps: smallUint(1_000_000),
  /** What a shortfall costs the protocol (a borrower's ceiling), bps per year. */
  shortfallCostBps: smallUint(1_000_000),
  /** Kind-specific risk figures in bps (utilization, margin ratio...), for models and reports. */
  risk: z.record(z.string().max(32), z.number().int()),
});

/** The in-code form (bigints), which is what `snapshot()` returns. */
export type ProtocolState = z.output<typeof ProtocolStateSchema>;
/** The wire form (decimal strings), which is what crosses a process boundary. */
export type ProtocolStateJson = z.input<typeof ProtocolStateSchema>;
