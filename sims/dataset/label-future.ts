/**
 * Labels from the future, computed after a run from the per-step distress flags and shortfalls:
 * for protocol i at step t, whether it becomes distressed (insolvent or halted) within the next
 * H hours having not been distressed at t, whether that is unknown because the run ends first
 * (censored), hours to its first distress after t, and its largest shortfall in the next 72 h.
 */
import { HORIZONS_HOURS } from "./columns.ts";
import type { Observations } from "./observe-protocols.ts";

export type Labels = {
  distressedNow: Int8Array;
  event: Int8Array[];
  censored: Int8Array[];
  hoursToEvent: Float32Array;
  shortfall72hUsd: Float64Array;
};

export function labelFuture(obs: Observations, stepHours: number): Labels {
  const { steps, protocols: n, distressed, shortfallUsd } = obs;
  const cells = (steps + 1) * n;
  const labels: Labels = {
    distressedNow: new Int8Array(cells),
    event: HORIZONS_HOURS.map(() => new Int8Array(cells)),
    censored: HORIZONS_HOURS.map(() => new Int8Array(cells)),
    hoursToEvent: new Float32Array(cells).fill(Number.NaN),
    shortfall72hUsd: new Float64Array(cells),
  };
  const window72 = Math.round(72 / stepHours);
  for (let i = 0; i < n; i++) {
    // Walking backwards: the next step at which i is distressed.
    let next = Number.POSITIVE_INFINITY;
    for (let t = steps; t >= 0; t--) {
      const at = t * n + i;
      const now = distressed[at] === 1;
      labels.distressedNow[at] = now ? 1 : 0;
      if (next !== Number.POSITIVE_INFINITY) labels.hoursToEvent[at] = (next - t) * stepHours;
      HORIZONS_HOURS.forEach((h, k) => {
        const ahead = Math.round(h / stepHours);
        const hit = !now && next - t <= ahead;
        labels.event[k]![at] = hit ? 1 : 0;
        labels.censored[k]![at] = !now && !hit && t + ahead > steps ? 1 : 0;
      });
      let worst = 0;
      for (let u = t + 1; u <= Math.min(steps, t + window72); u++)
        worst = Math.max(worst, shortfallUsd[u * n + i]!);
      labels.shortfall72hUsd[at] = worst;
      if (now) next = t;
    }
  }
  return labels;
}
