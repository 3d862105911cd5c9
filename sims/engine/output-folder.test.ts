import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "./cli.ts";
import { prepareOutputFolder } from "./output-folder.ts";

describe("the study's --out", () => {
  it("creates nested folders", () => {
    const d = join(mkdtempSync(join(tmpdir(), "out-")), "a", "b");
    prepareOutputFolder(d);
    expect(existsSync(d)).toBe(true);
  });

  it("refuses a file, a path under a file and an impossible folder at once", () => {
    const f = join(mkdtempSync(join(tmpdir(), "out-")), "file");
    writeFileSync(f, "x");
    expect(() => prepareOutputFolder(f)).toThrow(/--out: .* is a file; expected a folder/);
    expect(() => prepareOutputFolder(join(f, "sub"))).toThrow(/cannot create .*: .* is a file/);
    expect(() => prepareOutputFolder("/proc/no-such-dir/x")).toThrow(
      /--out: cannot create \/proc\/no-such-dir/,
    );
  });

  it("the study CLI fails before running anything (exit 2, a message, no stack)", async () => {
    const f = join(mkdtempSync(join(tmpdir(), "out-")), "file");
    writeFileSync(f, "x");
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((s: string) => {
      errors.push(String(s));
      return true;
    }) as typeof process.stderr.write;
    const started = performance.now();
    try {
      expect(await main(["--out", f, "--seeds", "1", "--settlement", "ledger", "--mode", "off"])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(errors.join("")).toMatch(/error: --out: .* is a file/);
    expect(errors.join("")).not.toMatch(/runs/);
  });
});
