import { describe, expect, it } from "vitest";
import { createOperatorLogger, REDACTED } from "./operator-log.ts";

describe("operator logger", () => {
  it("writes JSON lines with levels, and only at or above its level", () => {
    const lines: string[] = [];
    const log = createOperatorLogger({ level: "info", fields: { agent: "a" }, sink: (l) => lines.push(l) });
    log.debug("hidden");
    log.info("shown", { n: 1n });
    log.child({ session: "s" }).warn("warned");
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ level: "info", msg: "shown", agent: "a", n: "1" }),
      expect.objectContaining({ level: "warn", msg: "warned", agent: "a", session: "s" }),
    ]);
  });

  it("scrubs remembered secrets and secret-named fields from every line, children included", () => {
    const lines: string[] = [];
    const log = createOperatorLogger({ level: "debug", sink: (l) => lines.push(l) });
    const key = `0x${"ab".repeat(32)}`;
    log.addSecret(key);
    log.addSecret(key.slice(2));
    log.addSecret("short");
    log.info(`oops ${key}`, {
      nested: { k: key.slice(2) },
      password: "hunter22",
      privateKey: "x",
      seedFile: "/p",
    });
    log.child({ c: 1 }).error("again", { error: `failed with ${key}` });
    const text = lines.join("\n");
    expect(text).not.toContain("ab".repeat(32));
    expect(text).not.toContain("hunter22");
    expect(text).toContain(REDACTED);
    expect(JSON.parse(lines[0]!).seedFile).toBe(REDACTED);
    expect(JSON.parse(lines[0]!).msg).toBe(`oops ${REDACTED}`);
  });
});
