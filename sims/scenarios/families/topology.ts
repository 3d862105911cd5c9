/**
 * Who holds claims on whom: directed edges (holder -> issuer) over n protocols for the four
 * topologies of a family. Deterministic given the generator; no self-loops, no duplicate edges.
 *
 * - random: each ordered pair is an edge with probability meanDegree / (n - 1) (Erdos-Renyi).
 * - core-periphery: the first ceil(sqrt(n)) protocols form the core and hold claims on each
 *   other; each periphery protocol holds a claim on one core protocol and one core protocol
 *   holds a claim on it (money centres and their clients).
 * - ring: i holds a claim on i + 1 (mod n), the last loop closing the cycle.
 * - chain: i holds a claim on i + 1, no wrap-around (losses travel one way).
 */
import type { Rng } from "../../paths/prng.ts";
import type { Topology } from "./family-spec.ts";

export type Edge = { holder: number; issuer: number };

export type BuildTopologyParameters = {
  topology: Topology;
  n: number;
  meanDegree: number;
  rng: Rng;
  /** Protocols that may hold claims and that may issue them (by index). */
  canHold: (i: number) => boolean;
  canIssue: (i: number) => boolean;
};

export function buildTopology(p: BuildTopologyParameters): Edge[] {
  const { n, rng, canHold, canIssue } = p;
  const edges: Edge[] = [];
  const seen = new Set<number>();
  const add = (holder: number, issuer: number) => {
    if (holder === issuer || !canHold(holder) || !canIssue(issuer)) return;
    const key = holder * n + issuer;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push({ holder, issuer });
  };
  if (p.topology === "random") {
    const probability = Math.min(1, p.meanDegree / Math.max(1, n - 1));
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) if (i !== j && rng.nextFloat() < probability) add(i, j);
  } else if (p.topology === "core-periphery") {
    const core = Math.max(2, Math.ceil(Math.sqrt(n)));
    for (let i = 0; i < core; i++) for (let j = 0; j < core; j++) add(i, j);
    for (let i = core; i < n; i++) {
      const hub = rng.nextUint32() % core;
      add(i, hub);
      add(hub, i);
    }
  } else {
    const last = p.topology === "ring" ? n : n - 1;
    // Walk over the protocols in order; where a link is not allowed (kinds), skip to the next one
    // that can issue, so the ring or chain still connects everyone who can take part.
    for (let i = 0; i < last; i++) {
      for (let step = 1; step < n; step++) {
        const j = (i + step) % n;
        if (p.topology === "chain" && j < i) break;
        if (canIssue(j)) {
          add(i, j);
          break;
        }
      }
    }
  }
  return edges;
}
