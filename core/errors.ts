/**
 * One base error for the whole project (after viem's BaseError): a short message for logs,
 * details for humans, meta lines that say what to do, and the underlying cause.
 */
export type BaseErrorParameters = {
  details?: string | undefined;
  metaMessages?: string[] | undefined;
  cause?: unknown;
};

export class BaseError extends Error {
  override name = "BaseError";
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly metaMessages: string[];
  /** Stable machine-readable code, e.g. "BadSignature". Subclasses set it. */
  readonly code: string = "Unknown";

  constructor(shortMessage: string, params: BaseErrorParameters = {}) {
    const lines = [shortMessage];
    if (params.metaMessages?.length) lines.push("", ...params.metaMessages);
    if (params.details) lines.push("", `Details: ${params.details}`);
    super(lines.join("\n"), params.cause === undefined ? undefined : { cause: params.cause });
    this.shortMessage = shortMessage;
    this.details = params.details;
    this.metaMessages = params.metaMessages ?? [];
  }
}
