/**
 * Causal spike filter for aggregator series (CoinGecko): each point becomes the median of itself
 * and the previous `window - 1` raw points. An isolated spike (one or two points, README section 2)
 * never reaches the output; a real level shift (a depeg) passes after (window + 1) / 2 points.
 * Only past points are used, so a value never changes when later data arrive.
 */
export function causalMedianFilter(values: Float64Array, window = 5): Float64Array {
  const out = new Float64Array(values.length);
  const buf: number[] = [];
  for (let i = 0; i < values.length; i++) {
    buf.length = 0;
    for (let k = Math.max(0, i - window + 1); k <= i; k++) buf.push(values[k]!);
    buf.sort((a, b) => a - b);
    const m = buf.length;
    out[i] = m % 2 ? buf[(m - 1) >> 1]! : (buf[m / 2 - 1]! + buf[m / 2]!) / 2;
  }
  return out;
}
