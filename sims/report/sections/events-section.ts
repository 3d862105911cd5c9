/**
 * What the agents did, and what contagion did, in one seed per mode: alerts and de-risking
 * actions, RFQs that ended without a deal (by reason), and, when the engine reports them,
 * defaults, write-downs and halts as they happened. Loans are in the loans section.
 */
import { usd } from "../format.ts";
import { esc, table } from "../html.ts";
import { note, type Section, type SectionContext } from "./section.ts";

const MAX_ROWS = 30;

type AnyEvent = { type: string; step: number } & Record<string, unknown>;

const money = (x: unknown) => (typeof x === "bigint" ? usd(Number(x) / 1e8) : String(x));

export function describeEvent(e: AnyEvent): string | undefined {
  switch (e.type) {
    case "alert":
      return `level ${e.level} by ${e.votes} of ${e.of} agents: ${String(e.reason)}${typeof e.expiresHour === "number" ? ` (expires at hour ${e.expiresHour})` : ""}`;
    case "derisk":
      return `${String(e.protocol)}: ${String(e.action)}`;
    case "default":
      return `${String(e.protocol)} defaulted on its network obligations (shortfall ${money(e.shortfallUsd8)})`;
    case "write-down":
      return `${String(e.creditor)} wrote down its claim on ${String(e.debtor)} by ${money(e.lossUsd8)}${typeof e.recoveryPpm === "number" ? ` (recovery ${(e.recoveryPpm / 1e4).toFixed(1)}%)` : ""}`;
    case "halt":
      return `${String(e.protocol)} halted withdrawals: ${String(e.reason)}`;
    case "loan":
    case "repaid":
    case "defaulted":
    case "no-deal":
      return undefined;
    default: {
      const fields = Object.entries(e)
        .filter(([k]) => k !== "type" && k !== "step")
        .map(([k, v]) => `${k} ${typeof v === "bigint" ? money(v) : String(v)}`);
      return fields.join(", ");
    }
  }
}

export function eventsSection({ view }: SectionContext): Section | undefined {
  const kept = view.study.kept;
  if (kept.length === 0) return undefined;
  const seed = kept[0]!.seed;
  const blocks: string[] = [];
  for (const run of kept) {
    const events = [
      ...(run.events as unknown as AnyEvent[]),
      ...(((run as unknown as { contagion?: AnyEvent[] }).contagion ?? []) as AnyEvent[]),
    ].sort((a, b) => a.step - b.step);
    const rows = events.flatMap((e) => {
      const what = describeEvent(e);
      return what === undefined ? [] : [[`${(e.step * run.stepHours).toFixed(0)}`, esc(e.type), esc(what)]];
    });
    const noDeal = new Map<string, number>();
    for (const e of events)
      if (e.type === "no-deal") noDeal.set(String(e.reason), (noDeal.get(String(e.reason)) ?? 0) + 1);
    const noDealText =
      noDeal.size === 0
        ? ""
        : note(
            `Requests for a loan that ended without a deal: ${[...noDeal].map(([reason, n]) => `${n} × ${esc(reason)}`).join("; ")}.`,
          );
    if (rows.length === 0 && noDeal.size === 0) continue;
    blocks.push(
      `<h3><span class="mode-dot mode-${esc(run.policy)}"></span>${esc(run.policy)}</h3>${
        rows.length > 0
          ? table({
              head: ["Hour", "Event", "What happened"],
              rows: rows.slice(0, MAX_ROWS),
              caption: rows.length > MAX_ROWS ? `First ${MAX_ROWS} of ${rows.length} events` : undefined,
              className: "events",
            })
          : ""
      }${noDealText}`,
    );
  }
  const sweep = view.study.sweep
    ? ` at ${esc(String(view.study.sweep.option))} = ${esc(String(view.sweepValues[0]))}`
    : "";
  return {
    id: "events",
    title: `Events in seed ${seed}`,
    html: `<p class="lead">Alerts, de-risking actions and contagion events as they happened in seed ${seed}${sweep}, one table per mode.</p>${
      blocks.length > 0
        ? blocks.join("")
        : note("No alert, de-risking action or contagion event in this seed.")
    }`,
  };
}
