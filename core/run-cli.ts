/**
 * The tail every command-line entry point shares: run `main`, set the exit code it returns, and
 * print one line (with the stack for a bug, the message alone for a typed error) when it throws.
 */
import { pathToFileURL } from "node:url";
import { BaseError } from "./errors.ts";

/** True when the module at `moduleUrl` is the script node was started with. */
export const isMainModule = (moduleUrl: string): boolean =>
  process.argv[1] !== undefined && moduleUrl === pathToFileURL(process.argv[1]).href;

/** What a failed command prints: a typed error says what to do; anything else is a bug (stack). */
export function describeCliFailure(err: unknown): string {
  if (err instanceof BaseError) return err.message;
  if (err instanceof Error) return err.stack ?? err.message;
  return String(err);
}

/** Runs `main` and turns its outcome into the process's exit code. */
export function runCli(
  what: string,
  main: () => Promise<number | undefined>,
  describe: (err: unknown) => string = describeCliFailure,
): void {
  main().then(
    (code) => {
      process.exitCode = code ?? 0;
    },
    (err: unknown) => {
      process.stderr.write(`\n${what} failed: ${describe(err)}\n`);
      process.exitCode = 1;
    },
  );
}

/** `runCli` when the module is the started script (a CLI file that tests also import). */
export function runCliIfMain(
  moduleUrl: string,
  what: string,
  main: () => Promise<number | undefined>,
  describe?: (err: unknown) => string,
): void {
  if (isMainModule(moduleUrl)) runCli(what, main, describe);
}
