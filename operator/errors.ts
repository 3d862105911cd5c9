/**
 * What can go wrong before an agent runs: its config, its key, its adapter. Each error names the
 * file and field at fault and says what to do; none ever carries a secret (a key, a password, a
 * seed), only where it was to be found.
 */
import { BaseError } from "../core/errors.ts";

export class AgentConfigError extends BaseError {
  override name = "AgentConfigError";
  override readonly code = "AgentConfig";
  /** Dotted paths of the fields at fault ("nats.servers.0"), when the schema named them. */
  readonly fields: string[];
  constructor(params: { file: string; problem: string; fields?: string[]; cause?: unknown }) {
    super(`Agent config ${params.file} is not valid.`, {
      details: params.problem,
      metaMessages: [
        "Fix the field(s) named below. operator/agent-config.schema.json describes every field; point your",
        'editor at it with "$schema" to get completion and checks while you write the file.',
      ],
      cause: params.cause,
    });
    this.fields = params.fields ?? [];
  }
}

export class KeystoreError extends BaseError {
  override name = "KeystoreError";
  override readonly code = "Keystore";
  constructor(params: { file: string; reason: string; cause?: unknown }) {
    super(`Cannot read the agent's key from keystore ${params.file}: ${params.reason}.`, {
      metaMessages: [
        "The keystore is a Web3 Secret Storage (v3) JSON file; its password comes from the environment",
        "variable or file the config names. `npm run agent -- keystore create` writes one.",
      ],
      cause: params.cause,
    });
  }
}

export class MissingSecretError extends BaseError {
  override name = "MissingSecretError";
  override readonly code = "MissingSecret";
  constructor(params: { what: string; source: string; hint?: string }) {
    super(`The ${params.what} was not found: ${params.source} is not set or is empty.`, {
      metaMessages: [
        params.hint ?? `Set ${params.source} in the agent's environment (never in the config file).`,
      ],
    });
  }
}

export class AdapterLoadError extends BaseError {
  override name = "AdapterLoadError";
  override readonly code = "AdapterLoad";
  constructor(params: { adapter: string; reason: string; cause?: unknown }) {
    super(`Cannot load adapter ${params.adapter}: ${params.reason}.`, {
      metaMessages: [
        "A module adapter exports `createAdapter(context)` (or the name given in `adapter.export`) returning a",
        "ProtocolAdapter (protocolId, kind, snapshot(), apply()). See docs/INTEGRATING.md.",
      ],
      cause: params.cause,
    });
  }
}
