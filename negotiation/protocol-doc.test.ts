/**
 * docs/PROTOCOL.md is what a third party writes a compatible peer from, so its tables must say what
 * the code does: the Agreement's fields and where each value comes from (core/agreement.ts), the
 * reason codes (wire/reject-codes.ts), the parameters with their defaults (protocol-parameters.ts),
 * and the test vectors of the fields added to v0.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AGREEMENT_FIELDS } from "../core/agreement.ts";
import { PROTOCOL_PARAMETERS } from "./protocol-parameters.ts";
import { canonicalJson } from "./wire/canonical.ts";
import { hashCanonical } from "./wire/envelope-hash.ts";
import { REJECT_CODE_LIST } from "./wire/reject-codes.ts";
import { parseBody } from "./wire/schemas.ts";

const doc = readFileSync(join(import.meta.dirname, "..", "docs", "PROTOCOL.md"), "utf8");

/** The rows of the first markdown table after `from` (and before `to`), as cells. */
function tableAfter(from: string, to?: string): string[][] {
  const start = doc.indexOf(from);
  expect(start, `"${from}" in PROTOCOL.md`).toBeGreaterThanOrEqual(0);
  const end = to === undefined ? doc.length : doc.indexOf(to, start);
  const lines = doc.slice(start, end).split("\n");
  const first = lines.findIndex((l) => l.startsWith("|"));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith("|")) break;
    rows.push(
      line
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
  }
  return rows;
}
const unquote = (cell: string) => cell.replace(/^`|`$/g, "");

describe("docs/PROTOCOL.md says what the code does", () => {
  it("the Agreement table lists every field in EIP-712 order with its source", () => {
    const rows = tableAfter("`Agreement` (JSON form", "The receiver of an `accept` checks");
    expect(rows.map((r) => [unquote(r[0]!), r[3]])).toEqual(AGREEMENT_FIELDS.map((f) => [f.name, f.source]));
    expect(doc).toContain(`Agreement(${AGREEMENT_FIELDS.map((f) => `${f.type} ${f.name}`).join(",")})`);
  });

  it("the reason-code table lists exactly the codes we send", () => {
    const rows = tableAfter("### 7.3 Reason codes", "## 8. Versioning");
    expect(rows.map((r) => unquote(r[0]!))).toEqual(REJECT_CODE_LIST);
  });

  it("the parameter table lists every parameter with its default", () => {
    const rows = tableAfter("## 9. Parameters");
    expect(Object.fromEntries(rows.map((r) => [unquote(r[0]!), Number(r[1])]))).toEqual(PROTOCOL_PARAMETERS);
  });

  it("the test vectors of the fields added to v0 hold", () => {
    const vectors = [
      {
        body: {
          terms: {
            tenor: 2592000,
            rateBps: 650,
            principal: "1000000000000",
            haircutBps: 1500,
            collateralToken: "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2",
            collateral: "450000000000000000000",
            callRiskLevel: 2,
          },
          inReplyTo: 0,
        },
        kind: "offer" as const,
        hash: "0xb7b01ee2f3dfd5ac268a7dd18825895fef7d5f1ca0aa75c6d524d71ca340ec45",
      },
      {
        body: {
          reason: "accept does not match our offer: callRiskLevel is 3, expected absent",
          code: "agreement-mismatch",
        },
        kind: "reject" as const,
        hash: "0xc9a649b4e46d9afc53fb956ee90a0b64dda92cf28d573ddda9dc99f6814c3a52",
      },
    ];
    for (const v of vectors) {
      const json = canonicalJson(v.body);
      expect(doc).toContain(`\n${json}\n`);
      expect(doc).toContain(`\`bodyHash = ${v.hash}\``);
      expect(hashCanonical(json)).toBe(v.hash);
      // Valid bodies of their kind.
      expect(parseBody(v.kind, v.body).success).toBe(true);
    }
  });
});
