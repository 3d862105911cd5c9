/**
 * The boundary where simulated float prices become money: USD with 8 decimals (the Chainlink
 * convention used by ProtocolState.prices), rounded to the nearest unit.
 */
import { InvalidPathParameterError } from "./errors.ts";

const MAX_UINT64 = 2n ** 64n - 1n;

export function priceToUsd8(price: number): bigint {
  if (!Number.isFinite(price) || price < 0) {
    throw new InvalidPathParameterError({
      field: "price",
      problem: `is ${price}, expected a finite price >= 0`,
    });
  }
  return BigInt(Math.round(price * 1e8));
}

/** A whole path at once, into a typed array for the engine's hot loop. */
export function pathToUsd8(path: Float64Array): BigUint64Array {
  const out = new BigUint64Array(path.length);
  for (let k = 0; k < path.length; k++) {
    const usd8 = priceToUsd8(path[k]!);
    if (usd8 > MAX_UINT64) {
      throw new InvalidPathParameterError({
        field: `path[${k}]`,
        problem: `is ${path[k]}, too large for a uint64 USD-8 price`,
      });
    }
    out[k] = usd8;
  }
  return out;
}
