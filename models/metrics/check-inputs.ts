import { ModelInputError } from "../errors.ts";

/** Scores in [0, 1] or any finite reals (for ranking), labels 0/1, same length. */
export function checkScoredLabels(
  what: string,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  opts: { probabilities?: boolean; needBothClasses?: boolean } = {},
): { positives: number; negatives: number } {
  if (scores.length !== labels.length)
    throw new ModelInputError(`${what}: ${scores.length} scores but ${labels.length} labels.`);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (y !== 0 && y !== 1) throw new ModelInputError(`${what}: label ${i} is ${y}, not 0 or 1.`);
    positives += y;
    const s = scores[i]!;
    if (!Number.isFinite(s)) throw new ModelInputError(`${what}: score ${i} is ${s}.`);
    if (opts.probabilities && (s < 0 || s > 1))
      throw new ModelInputError(`${what}: score ${i} is ${s}, not a probability.`);
  }
  const negatives = labels.length - positives;
  if (opts.needBothClasses && (positives === 0 || negatives === 0))
    throw new ModelInputError(
      `${what} needs both classes: ${positives} positives, ${negatives} negatives.`,
      "Choose an evaluation window that contains at least one event and one quiet hour.",
    );
  return { positives, negatives };
}

/** Indices sorted by score, descending (stable). */
export function orderDescending(scores: ArrayLike<number>): number[] {
  const idx = Array.from({ length: scores.length }, (_, i) => i);
  idx.sort((a, b) => scores[b]! - scores[a]! || a - b);
  return idx;
}
