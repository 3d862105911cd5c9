/** Conclusions: a short paragraph per mode, written from the numbers (../conclusions.ts). */
import { type Conclusion, concludeStudy, concludeSweep } from "../conclusions.ts";
import { esc } from "../html.ts";
import { perSweepValue, type Section, type SectionContext } from "./section.ts";

const BADGE: Record<Conclusion["verdict"], string> = {
  alone: "only mode",
  baseline: "baseline",
  better: "better",
  worse: "worse",
  "trade-off": "trade-off",
  "no-change": "no detectable change",
  identical: "identical to baseline",
};

export function conclusionsSection({ view }: SectionContext): Section {
  const conclusions = concludeStudy(view);
  const block = (sweep: number | undefined) =>
    conclusions
      .filter((c) => c.sweep === sweep)
      .map(
        (c) =>
          `<div class="conclusion ${c.verdict}"><h3><span class="mode-dot mode-${esc(c.mode)}"></span>${esc(c.mode)} <span class="badge">${BADGE[c.verdict]}</span></h3><p>${c.sentences.map(esc).join(" ")}</p></div>`,
      )
      .join("");
  const across = concludeSweep(view)
    .map(
      (c) =>
        `<div class="conclusion"><h3><span class="mode-dot mode-${esc(c.mode)}"></span>${esc(c.mode)} <span class="badge">across the sweep</span></h3><p>${c.sentences.map(esc).join(" ")}</p></div>`,
    )
    .join("");
  const body = view.study.sweep
    ? `${across}<p class="note">Each swept value in detail (the first open):</p>${perSweepValue(view, block)}`
    : block(undefined);
  return {
    id: "conclusions",
    title: "Conclusions",
    html: `<p class="lead">Written from this study's numbers. A change is called a gain or a cost only when the 95% interval of its paired difference (same seeds, same price paths) excludes zero.</p>${body}`,
  };
}
