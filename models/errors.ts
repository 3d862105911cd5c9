/**
 * Typed errors of the models module. Each names what was wrong (file, row, column, role,
 * feature, tensor) and what to do, so a bad input never turns into a silent NaN score.
 */
import { BaseError } from "../core/errors.ts";

/** A data file is missing, unreadable, or in no layout we know. */
export class DataFileError extends BaseError {
  override name = "DataFileError";
  override readonly code = "DataFileError";
  readonly file: string;
  constructor({
    file,
    problem,
    hint,
    cause,
  }: { file: string; problem: string; hint?: string; cause?: unknown }) {
    super(`Data file ${file}: ${problem}`, {
      cause,
      metaMessages: hint ? [hint] : [],
    });
    this.file = file;
  }
}

/** A cell of a data file could not be read as what its column holds. */
export class DataValueError extends BaseError {
  override name = "DataValueError";
  override readonly code = "DataValueError";
  readonly file: string;
  readonly row: number;
  readonly column: string;
  constructor({
    file,
    row,
    column,
    value,
    expected,
  }: { file: string; row: number; column: string; value: string; expected: string }) {
    super(`Data file ${file}, line ${row}, column "${column}": "${value}" is not ${expected}.`, {
      metaMessages: ["Fix or drop that row; the models never guess a value."],
    });
    this.file = file;
    this.row = row;
    this.column = column;
  }
}

/** A feature came out NaN or infinite: a bug or a data defect, never scored. */
export class NonFiniteFeatureError extends BaseError {
  override name = "NonFiniteFeatureError";
  override readonly code = "NonFiniteFeatureError";
  readonly feature: string;
  readonly hourUtc: string;
  constructor({ feature, hourUtc, value }: { feature: string; hourUtc: string; value: number }) {
    super(`Feature "${feature}" is ${value} at ${hourUtc}.`, {
      metaMessages: ["Check the input rows around that hour (zero or negative prices, empty cells)."],
    });
    this.feature = feature;
    this.hourUtc = hourUtc;
  }
}

/** A score came out NaN or outside [0, 1]. */
export class NonFiniteScoreError extends BaseError {
  override name = "NonFiniteScoreError";
  override readonly code = "NonFiniteScoreError";
  constructor({ what, index, value }: { what: string; index: number; value: number }) {
    super(`${what} is ${value} at row ${index}.`, {
      metaMessages: ["This is a bug: please report it with the inputs."],
    });
  }
}

/** A manifest (role -> file map) is malformed or names a file that is not there. */
export class ManifestError extends BaseError {
  override name = "ManifestError";
  override readonly code = "ManifestError";
  readonly manifest: string;
  readonly role: string | undefined;
  constructor({
    manifest,
    role,
    problem,
    cause,
  }: { manifest: string; role?: string; problem: string; cause?: unknown }) {
    super(`Manifest ${manifest}${role ? `, role "${role}"` : ""}: ${problem}`, {
      cause,
      metaMessages: [
        'A manifest maps roles to files, e.g. {"ethPrice": "price_ETHUSD_1h_bitfinex_2019-01_2023-01.csv"}; relative paths are read from the manifest\'s folder.',
        "See models/market/example-manifest.json.",
      ],
    });
    this.manifest = manifest;
    this.role = role;
  }
}

/** A weights file does not match the architecture it declares (or is not a weights file). */
export class WeightsFileError extends BaseError {
  override name = "WeightsFileError";
  override readonly code = "WeightsFileError";
  readonly file: string;
  readonly tensor: string | undefined;
  constructor({
    file,
    tensor,
    problem,
    cause,
  }: { file: string; tensor?: string; problem: string; cause?: unknown }) {
    super(`Weights file ${file}${tensor ? `, tensor "${tensor}"` : ""}: ${problem}`, {
      cause,
      metaMessages: ["Re-create it with `npm run train` (weights and code must come from the same version)."],
    });
    this.file = file;
    this.tensor = tensor;
  }
}

/** Inputs that an estimator or metric cannot use (lengths differ, no positives, ...). */
export class ModelInputError extends BaseError {
  override name = "ModelInputError";
  override readonly code = "ModelInputError";
  constructor(message: string, hint?: string) {
    super(message, { metaMessages: hint ? [hint] : [] });
  }
}
