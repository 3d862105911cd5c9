/**
 * The study's --out folder, checked and created before any run starts: a path that is a file, a
 * folder that cannot be created or written, fails at once with a message. Folders are created one
 * level at a time (non-recursive mkdir): a recursive mkdir under some special file systems
 * (/proc) loops instead of failing.
 */
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UsageError } from "./errors.ts";

export function prepareOutputFolder(folder: string, option = "--out"): void {
  const target = resolve(folder);
  const missing: string[] = [];
  let at = target;
  while (!existsSync(at)) {
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  if (existsSync(at) && !statSync(at).isDirectory())
    throw new UsageError(
      at === target
        ? `${option}: ${folder} is a file; expected a folder for the report files`
        : `${option}: cannot create ${folder}: ${at} is a file`,
    );
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir);
    } catch (error) {
      throw new UsageError(
        `${option}: cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
  // Writable? A probe file, removed at once.
  const probe = join(target, `.write-check-${process.pid}`);
  try {
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (error) {
    throw new UsageError(
      `${option}: cannot write in ${folder}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}
