/**
 * Self-contained SVG charts (no scripts, no external assets) for the HTML report: line charts,
 * bars with confidence intervals, and the exposure network.
 */

export const PALETTE = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#9333ea",
  "#ea580c",
  "#0891b2",
  "#ca8a04",
  "#db2777",
];

const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** 1234567 -> "1.23M" */
export function compact(x: number): string {
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)}B`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (a >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  if (a < 0.005) return "0";
  if (a >= 1) return x.toFixed(a >= 100 ? 0 : 2);
  return x.toPrecision(3);
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step0 = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0)!;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) out.push(v);
  return out;
}

export type LineSeries = { name: string; ys: ArrayLike<number>; color?: string; dashed?: boolean };

export function lineChart(p: {
  title: string;
  xs: ArrayLike<number>;
  series: LineSeries[];
  xLabel?: string;
  yLabel?: string;
  width?: number;
  height?: number;
  /** Divide each series by its first value (prices relative to the start). */
  normalise?: boolean;
}): string {
  const W = p.width ?? 640;
  const H = p.height ?? 300;
  const m = { l: 64, r: 16, t: 32, b: 44 };
  const series = p.series.map((s) => {
    const first = s.ys[0] || 1;
    return { ...s, ys: Array.from(s.ys, (y) => (p.normalise ? y / first : y)) };
  });
  const xs = Array.from(p.xs);
  const all = series.flatMap((s) => s.ys).filter(Number.isFinite);
  let yMin = Math.min(0, ...all);
  let yMax = Math.max(...all, p.normalise ? 1 : 0);
  if (yMax === yMin) yMax = yMin + 1;
  if (p.normalise) yMin = Math.min(...all, 1) * 0.95;
  const xMin = xs[0] ?? 0;
  const xMax = xs[xs.length - 1] ?? 1;
  const X = (x: number) => m.l + ((x - xMin) / (xMax - xMin || 1)) * (W - m.l - m.r);
  const Y = (y: number) => H - m.b - ((y - yMin) / (yMax - yMin)) * (H - m.t - m.b);
  const parts: string[] = [];
  for (const t of niceTicks(yMin, yMax)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e5e7eb"/>`);
    parts.push(
      `<text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end" font-size="11">${p.normalise ? t.toFixed(2) : compact(t)}</text>`,
    );
  }
  for (const t of niceTicks(xMin, xMax, 8)) {
    parts.push(
      `<text x="${X(t)}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${compact(t)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const color = s.color ?? PALETTE[i % PALETTE.length]!;
    const d = s.ys.map((y, k) => `${k === 0 ? "M" : "L"}${X(xs[k]!).toFixed(1)},${Y(y).toFixed(1)}`).join("");
    parts.push(
      `<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"${s.dashed ? ' stroke-dasharray="5 3"' : ""}/>`,
    );
    parts.push(
      `<rect x="${m.l + 8 + i * 120}" y="${m.t - 22}" width="10" height="10" fill="${color}"/><text x="${m.l + 22 + i * 120}" y="${m.t - 13}" font-size="11">${esc(s.name)}</text>`,
    );
  });
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="#6b7280"/>`);
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#6b7280"/>`);
  if (p.xLabel)
    parts.push(
      `<text x="${(W + m.l) / 2}" y="${H - 8}" text-anchor="middle" font-size="12">${esc(p.xLabel)}</text>`,
    );
  if (p.yLabel)
    parts.push(
      `<text transform="translate(14 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(p.yLabel)}</text>`,
    );
  return svg(W, H, p.title, parts);
}

export type Bar = { label: string; value: number; lo?: number; hi?: number; color?: string };

export function barChart(p: {
  title: string;
  bars: Bar[];
  yLabel?: string;
  width?: number;
  height?: number;
}): string {
  const W = p.width ?? 420;
  const H = p.height ?? 260;
  const m = { l: 64, r: 12, t: 28, b: 40 };
  const yMax = Math.max(1e-9, ...p.bars.map((b) => Math.max(b.value, b.hi ?? b.value)));
  const Y = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  const bw = (W - m.l - m.r) / p.bars.length;
  const parts: string[] = [];
  for (const t of niceTicks(0, yMax)) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${Y(t)}" y2="${Y(t)}" stroke="#e5e7eb"/>`);
    parts.push(`<text x="${m.l - 6}" y="${Y(t) + 4}" text-anchor="end" font-size="11">${compact(t)}</text>`);
  }
  p.bars.forEach((b, i) => {
    const x = m.l + i * bw + bw * 0.15;
    const w = bw * 0.7;
    const color = b.color ?? PALETTE[i % PALETTE.length]!;
    parts.push(
      `<rect x="${x}" y="${Y(b.value)}" width="${w}" height="${Math.max(0, H - m.b - Y(b.value))}" fill="${color}" opacity="0.85"><title>${esc(b.label)}: ${compact(b.value)}</title></rect>`,
    );
    if (b.lo !== undefined && b.hi !== undefined) {
      const cx = x + w / 2;
      parts.push(
        `<path d="M${cx},${Y(b.lo)}V${Y(b.hi)}M${cx - 6},${Y(b.lo)}H${cx + 6}M${cx - 6},${Y(b.hi)}H${cx + 6}" stroke="#111827"/>`,
      );
    }
    parts.push(
      `<text x="${x + w / 2}" y="${H - m.b + 16}" text-anchor="middle" font-size="11">${esc(b.label)}</text>`,
    );
  });
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#6b7280"/>`);
  if (p.yLabel)
    parts.push(
      `<text transform="translate(14 ${(H - m.b + m.t) / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(p.yLabel)}</text>`,
    );
  return svg(W, H, p.title, parts);
}

/**
 * The exposure network: protocols on a circle, an arrow from i to j whose width grows with what i
 * stands to lose on j (log scale), node colour red if insolvent at the end.
 */
export function networkChart(p: {
  title: string;
  nodes: { id: string; kind: string; insolvent: boolean }[];
  exposures: Float64Array;
  width?: number;
  height?: number;
}): string {
  const W = p.width ?? 520;
  const H = p.height ?? 420;
  const n = p.nodes.length;
  const cx = W / 2;
  const cy = H / 2 + 10;
  const R = Math.min(W, H) / 2 - 70;
  const pos = p.nodes.map((_, i) => ({
    x: cx + R * Math.cos((2 * Math.PI * i) / Math.max(1, n) - Math.PI / 2),
    y: cy + R * Math.sin((2 * Math.PI * i) / Math.max(1, n) - Math.PI / 2),
  }));
  const maxE = Math.max(1, ...p.exposures);
  const parts: string[] = [
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#6b7280"/></marker></defs>`,
  ];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const e = p.exposures[i * n + j]!;
      if (i === j || !(e > 0)) continue;
      const a = pos[i]!;
      const b = pos[j]!;
      const dx = b.x - a.x;
      const dy = b.y - a.y;
      const len = Math.hypot(dx, dy) || 1;
      const off = 6; // separate i->j from j->i
      const ox = (-dy / len) * off;
      const oy = (dx / len) * off;
      const r = 24;
      const width = 1 + (4 * Math.log1p(e)) / Math.log1p(maxE);
      parts.push(
        `<line x1="${a.x + (dx / len) * r + ox}" y1="${a.y + (dy / len) * r + oy}" x2="${b.x - (dx / len) * r + ox}" y2="${b.y - (dy / len) * r + oy}" stroke="#9ca3af" stroke-width="${width.toFixed(2)}" marker-end="url(#arrow)"><title>${esc(p.nodes[i]!.id)} exposed to ${esc(p.nodes[j]!.id)}: $${compact(e)}</title></line>`,
      );
    }
  }
  p.nodes.forEach((node, i) => {
    const { x, y } = pos[i]!;
    parts.push(
      `<circle cx="${x}" cy="${y}" r="22" fill="${node.insolvent ? "#fecaca" : "#dbeafe"}" stroke="${node.insolvent ? "#dc2626" : "#2563eb"}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${x}" y="${y + 4}" text-anchor="middle" font-size="10">${esc(node.kind)}</text>`);
    parts.push(
      `<text x="${x}" y="${y + 38}" text-anchor="middle" font-size="12" font-weight="600">${esc(node.id)}</text>`,
    );
  });
  return svg(W, H, p.title, parts);
}

function svg(W: number, H: number, title: string, parts: string[]): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-family="system-ui, sans-serif" role="img" aria-label="${esc(title)}"><title>${esc(title)}</title><text x="${W / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${esc(title)}</text>${parts.join("")}</svg>`;
}
