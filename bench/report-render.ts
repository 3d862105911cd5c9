/**
 * `npx tsx bench/report-render.ts [--no-chain]`: what writing the HTML report costs next to the
 * study it reports, in the same process. For the default study (20 seeds, 4 modes) on the ledger
 * and on the chain (what `npm run sim` runs), and a 5-value sweep on the ledger: the study's time
 * (the baseline), then the report's render time (median of 3, wall and CPU) and its share of the
 * study. Writes bench/results/report-render.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type RunContagionStudyOptions, runContagionStudy } from "../sims/engine/run-contagion-study.ts";
import { renderHtmlReport } from "../sims/report/html-report.ts";
import { machineInfo, progress } from "./env.ts";
import { median } from "./stats.ts";

const RENDERS = 3;

const cases: { name: string; options: RunContagionStudyOptions }[] = [
  { name: "default study, ledger", options: { settlement: "ledger" } },
  ...(process.argv.includes("--no-chain")
    ? []
    : [{ name: "default study, chain (npm run sim)", options: { settlement: "chain" as const } }]),
  {
    name: "5-value sweep, ledger",
    options: {
      settlement: "ledger",
      sweep: { option: "arbitrageRecoveryPerHour", values: [0.05, 0.1, 0.25, 0.5, 1] },
    },
  },
];

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

const rows: Record<string, unknown>[] = [];
for (const c of cases) {
  progress(`${c.name}: study`);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const { study } = await runContagionStudy(c.options);
  const studyCpuMs = cpuMs(process.cpuUsage(c0));
  const studyMs = performance.now() - t0;
  const wall: number[] = [];
  const cpu: number[] = [];
  let charts = 0;
  let bytes = 0;
  for (let i = 0; i < RENDERS; i++) {
    progress(`${c.name}: render ${i + 1}/${RENDERS}`);
    const r0 = process.cpuUsage();
    const page = await renderHtmlReport(study);
    cpu.push(cpuMs(process.cpuUsage(r0)));
    wall.push(page.totalMs);
    charts = page.charts;
    bytes = page.html.length;
  }
  rows.push({
    case: c.name,
    runs: study.runs,
    studyMs,
    studyCpuMs,
    renderMs: median(wall),
    renderCpuMs: median(cpu),
    renderShareOfStudy: median(wall) / studyMs,
    renderCpuShareOfStudy: median(cpu) / studyCpuMs,
    charts,
    htmlBytes: bytes,
  });
}

const pad = (s: string, n: number) => s.padEnd(n);
process.stdout.write(
  `\n${pad("case", 38)}${pad("runs", 6)}${pad("study s", 9)}${pad("render s", 10)}${pad("render/study", 14)}${pad("cpu render/study", 18)}${pad("charts", 8)}html\n`,
);
for (const r of rows) {
  const s = (x: unknown) => ((x as number) / 1000).toFixed(2);
  const p = (x: unknown) => `${((x as number) * 100).toFixed(1)}%`;
  process.stdout.write(
    `${pad(String(r.case), 38)}${pad(String(r.runs), 6)}${pad(s(r.studyMs), 9)}${pad(s(r.renderMs), 10)}${pad(p(r.renderShareOfStudy), 14)}${pad(p(r.renderCpuShareOfStudy), 18)}${pad(String(r.charts), 8)}${((r.htmlBytes as number) / 1e6).toFixed(2)} MB\n`,
  );
}
mkdirSync("bench/results", { recursive: true });
const file = join("bench/results", "report-render.json");
writeFileSync(
  file,
  `${JSON.stringify({ createdAt: new Date().toISOString(), machine: machineInfo(), renders: RENDERS, rows }, null, 2)}\n`,
);
process.stdout.write(`\nResults: ${file}\n`);
