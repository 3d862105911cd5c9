/**
 * Finds, reads and validates scenarios. A bare name ("march-2020-black-thursday") is looked up
 * in ./library; anything with a slash or a .json suffix is a path (relative to the working
 * directory). Errors name the offending field.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { z } from "zod";
import {
  ScenarioFileError,
  type ScenarioIssue,
  ScenarioNotFoundError,
  ScenarioValidationError,
} from "./scenario-errors.ts";
import { type Scenario, ScenarioSchema } from "./scenario-schema.ts";

/** Directory of the shipped scenarios, one `<name>.json` each. */
export const SCENARIO_LIBRARY_DIR = fileURLToPath(new URL("./library/", import.meta.url));

/** Names of the shipped scenarios, sorted. */
export function listScenarios(): string[] {
  return readdirSync(SCENARIO_LIBRARY_DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => f.slice(0, -".json".length))
    .sort();
}

export function loadScenario(nameOrPath: string): Scenario {
  const isPath = nameOrPath.includes("/") || nameOrPath.includes("\\") || nameOrPath.endsWith(".json");
  const file = isPath ? resolve(nameOrPath) : resolve(SCENARIO_LIBRARY_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    if (isPath) throw new ScenarioFileError({ file, problem: "no such file" });
    throw new ScenarioNotFoundError({ name: nameOrPath, available: listScenarios() });
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new ScenarioFileError({ file, problem: `not valid JSON (${(cause as Error).message})`, cause });
  }
  return parseScenario(json, file);
}

/** Validates an already-parsed JSON value. `origin` names it in errors. */
export function parseScenario(json: unknown, origin = "<input>"): Scenario {
  const result = ScenarioSchema.safeParse(json);
  if (result.success) return result.data;
  throw new ScenarioValidationError({ origin, issues: result.error.issues.map(toIssue) });
}

function toIssue(issue: z.core.$ZodIssue): ScenarioIssue {
  return { path: formatPath(issue.path), message: issue.message };
}

/** ["shocks", 2, "magnitude"] -> "shocks[2].magnitude". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}
