import type { Address } from "viem";

export type TokenInfo = { address: Address; symbol: string; decimals: number };
