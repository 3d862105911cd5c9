import { BaseError } from "../../core/errors.ts";

export type ScenarioIssue = {
  /** Field path as written in the file, e.g. "shocks[2].magnitude"; "(root)" for the whole file. */
  path: string;
  message: string;
};

/** A scenario file failed validation; every issue names its field. */
export class ScenarioValidationError extends BaseError {
  override name = "ScenarioValidationError";
  override readonly code = "ScenarioInvalid";
  readonly origin: string;
  readonly issues: ScenarioIssue[];

  constructor({ origin, issues }: { origin: string; issues: ScenarioIssue[] }) {
    const first = issues[0];
    const lines = issues.map((i) => `${i.path}: ${i.message}`);
    super(`scenario ${origin} is invalid: ${first ? `${first.path}: ${first.message}` : "unknown problem"}`, {
      metaMessages: issues.length > 1 ? [`${issues.length} problems:`, ...lines.map((l) => `  ${l}`)] : [],
    });
    this.origin = origin;
    this.issues = issues;
  }
}

/** No scenario of that name in the library, and no such file. */
export class ScenarioNotFoundError extends BaseError {
  override name = "ScenarioNotFoundError";
  override readonly code = "ScenarioNotFound";

  constructor({ name, available }: { name: string; available: string[] }) {
    super(`no scenario named "${name}"`, {
      metaMessages: [`Available: ${available.join(", ") || "(none)"}.`, "Or pass a path to a .json file."],
    });
  }
}

/** The file exists but could not be read or is not JSON. */
export class ScenarioFileError extends BaseError {
  override name = "ScenarioFileError";
  override readonly code = "ScenarioFile";

  constructor({ file, problem, cause }: { file: string; problem: string; cause?: unknown }) {
    super(`cannot load scenario ${file}: ${problem}`, { cause });
  }
}
