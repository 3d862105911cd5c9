/**
 * Canonical JSON, the byte string whose keccak256 is an envelope's `bodyHash`: no whitespace,
 * object keys sorted by UTF-16 code units at every depth, keys whose value is `undefined`
 * omitted, strings and numbers as JSON.stringify writes them, bigints as decimal strings. For the
 * values the protocol carries this is exactly RFC 8785 (JCS). See docs/PROTOCOL.md#body-hash.
 */
import { BaseError } from "../../core/errors.ts";

export class CanonicalJsonError extends BaseError {
  override name = "CanonicalJsonError";
  override readonly code = "NotCanonicalizable";
  constructor(reason: string) {
    super(`Value cannot be written as canonical JSON: ${reason}.`);
  }
}

export function canonicalJson(value: unknown): string {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError("non-finite number");
      return JSON.stringify(value);
    case "bigint":
      return `"${value.toString()}"`;
    case "boolean":
      return value ? "true" : "false";
    case "object": {
      if (value === null) return "null";
      if (Array.isArray(value)) {
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          if (value[i] === undefined) throw new CanonicalJsonError("undefined array element");
          out += (i ? "," : "") + canonicalJson(value[i]);
        }
        return `${out}]`;
      }
      const obj = value as Record<string, unknown>;
      const keys = Object.keys(obj);
      // JSON.parse keeps the order keys were written in, and canonical writers (ours included)
      // write them sorted: sort only when they are not (same order as sort(): UTF-16 code units).
      for (let i = 1; i < keys.length; i++) {
        if (keys[i - 1]! > keys[i]!) {
          keys.sort();
          break;
        }
      }
      let out = "{";
      let first = true;
      for (const k of keys) {
        const v = obj[k];
        if (v === undefined) continue;
        out += `${first ? "" : ","}${JSON.stringify(k)}:${canonicalJson(v)}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new CanonicalJsonError(`unsupported type ${typeof value}`);
  }
}
