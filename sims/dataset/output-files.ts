/**
 * Claims the dataset's output files before any work starts: the Arrow file and its schema file
 * are created exclusively (flag "wx"), so an existing file or an unwritable folder fails at once
 * with a message, never after minutes of generation.
 */
import { closeSync, openSync, rmSync } from "node:fs";
import { DatasetOptionsError } from "./errors.ts";

export type OutputFiles = { data: string; schema: string; dataFd: number; schemaFd: number };

export const schemaPathOf = (out: string) => out.replace(/\.arrow$/, ".schema.json");

export function claimOutputFiles(out: string): OutputFiles {
  const schema = schemaPathOf(out);
  const claim = (path: string, option: string) => {
    try {
      return openSync(path, "wx");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const problem =
        code === "EEXIST"
          ? `${path} already exists; choose another path or delete it first`
          : code === "ENOENT"
            ? `cannot create ${path}: its folder does not exist`
            : code === "EACCES" || code === "EPERM" || code === "EROFS"
              ? `cannot create ${path}: permission denied`
              : code === "EISDIR"
                ? `${path} is a folder; expected a file path ending in .arrow`
                : `cannot create ${path}: ${(error as Error).message}`;
      throw new DatasetOptionsError({ field: option, problem });
    }
  };
  const dataFd = claim(out, "--out");
  let schemaFd: number;
  try {
    schemaFd = claim(schema, "--out (schema file)");
  } catch (error) {
    closeSync(dataFd);
    rmSync(out, { force: true });
    throw error;
  }
  return { data: out, schema, dataFd, schemaFd };
}
