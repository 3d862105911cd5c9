/**
 * A stable, readable JSON layout for the committed data files: objects one key per line, arrays of
 * scalars on one line, arrays of arrays one inner array per line. Numbers are written with at most
 * eight significant digits, so a rebuild reproduces the file byte for byte.
 */
export const round8 = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(8)) : x);

export function formatJson(value: unknown): string {
  return `${render(value, "")}\n`;
}

function scalar(x: unknown): string {
  if (typeof x === "number") return Number.isFinite(x) ? JSON.stringify(round8(x)) : "null";
  return JSON.stringify(x);
}

const isScalar = (x: unknown) => x === null || ["number", "string", "boolean"].includes(typeof x);

function render(value: unknown, indent: string): string {
  if (isScalar(value)) return scalar(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.every(isScalar)) return `[${value.map(scalar).join(", ")}]`;
    return `[\n${value.map((v) => inner + render(v, inner)).join(",\n")}\n${indent}]`;
  }
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${render(v, inner)}`).join(",\n")}\n${indent}}`;
}
