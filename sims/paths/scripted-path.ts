/**
 * A deterministic path through keyframes, linear in price between them: the shape of a named
 * episode ("ETH -43% within a day, then a partial rebound"). Before the first keyframe the path
 * holds its price, after the last it holds the last. Two keyframes at the same time make an
 * instantaneous jump: the later one applies from that time on.
 */
import { InvalidPathParameterError, requireFinite, requireSteps } from "./errors.ts";

export type Keyframe = {
  /** Time, in the unit of dt (the scenario layer uses hours). */
  t: number;
  /** Price at time t, >= 0. */
  price: number;
};

export type ScriptedPathParameters = {
  /** At least one keyframe, in non-decreasing time order. */
  keyframes: readonly Keyframe[];
  steps: number;
  dt: number;
};

/** Prices at t = 0, dt, ..., steps * dt. */
export function scriptedPath({ keyframes, steps, dt }: ScriptedPathParameters): Float64Array {
  requireSteps(steps);
  requireFinite("dt", dt, { positive: true });
  if (keyframes.length === 0)
    throw new InvalidPathParameterError({
      field: "keyframes",
      problem: "is empty, expected at least one keyframe",
    });
  keyframes.forEach((k, i) => {
    requireFinite(`keyframes[${i}].t`, k.t);
    requireFinite(`keyframes[${i}].price`, k.price, { min: 0 });
    if (i > 0 && k.t < keyframes[i - 1]!.t) {
      throw new InvalidPathParameterError({
        field: `keyframes[${i}].t`,
        problem: `is ${k.t}, before the previous keyframe at ${keyframes[i - 1]!.t}`,
      });
    }
  });

  const path = new Float64Array(steps + 1);
  let next = 0; // first keyframe strictly after the current time
  for (let s = 0; s <= steps; s++) {
    const t = s * dt;
    while (next < keyframes.length && keyframes[next]!.t <= t) next++;
    if (next === 0) path[s] = keyframes[0]!.price;
    else if (next === keyframes.length) path[s] = keyframes[next - 1]!.price;
    else {
      const a = keyframes[next - 1]!;
      const b = keyframes[next]!;
      path[s] = a.price + ((b.price - a.price) * (t - a.t)) / (b.t - a.t);
    }
  }
  return path;
}
