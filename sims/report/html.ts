/** Small HTML helpers for the report: escaping, tables, an estimate with its interval. */

export const esc = (s: string) =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** A value with its 95% interval below it, small; the interval is left out when it has no width
 *  because there is one seed (n < 2). */
export function withInterval(
  format: (x: number) => string,
  e: { value: number; lo: number; hi: number },
  n: number,
): string {
  const head = format(e.value);
  if (n < 2) return head;
  return `${head}<br><small>[${format(e.lo)}, ${format(e.hi)}]</small>`;
}

export type TableParameters = {
  head: string[];
  rows: string[][];
  /** Header cells and first-column cells are HTML already (escaped by the caller). */
  caption?: string | undefined;
  className?: string | undefined;
};

export function table({ head, rows, caption, className }: TableParameters): string {
  const th = head
    .map((h, i) => `<th${i === 0 ? ' scope="col" class="rowhead"' : ' scope="col"'}>${h}</th>`)
    .join("");
  const body = rows
    .map(
      (r) =>
        `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${c}</th>` : `<td>${c}</td>`)).join("")}</tr>`,
    )
    .join("");
  return `<div class="table-wrap"><table${className ? ` class="${className}"` : ""}>${
    caption ? `<caption>${caption}</caption>` : ""
  }<thead><tr>${th}</tr></thead><tbody>${body}</tbody></table></div>`;
}

/** The id of a metric's definition, for links from tables. */
export const definitionId = (key: string) => `def-${key.replace(/[^A-Za-z0-9_-]/g, "-")}`;
