/**
 * The runner's logger: core/log.ts's JSON lines (one object per line: t, level, msg, fields) on
 * stdout, with a last line of defence against leaking secrets. Nothing in the project logs a key on
 * purpose; this scrubs, from every line before it is written, each secret value the runner has read
 * (the key, the keystore password, NATS seeds and passwords) and the value of any field whose name
 * says it is secret. Tests assert that the values never appear in a real agent's output.
 */
import { createLogger, type Logger, type LogLevel } from "../core/log.ts";

export const REDACTED = "[redacted]";

const SECRET_FIELD =
  /"((?:private_?key|privatekey|password|passphrase|seed|secret|token|nkey|creds)[A-Za-z_]*)":"(?:[^"\\]|\\.)*"/gi;

export type OperatorLogger = Logger & {
  /** Scrub this value from every later line (values shorter than 8 characters are ignored). */
  addSecret(secret: string): void;
};

export type CreateOperatorLoggerParameters = {
  level: LogLevel;
  fields?: Record<string, unknown>;
  /** Default: stdout. */
  sink?: (line: string) => void;
};

export function createOperatorLogger(p: CreateOperatorLoggerParameters): OperatorLogger {
  const secrets: string[] = [];
  const out = p.sink ?? ((line: string) => process.stdout.write(`${line}\n`));
  const scrub = (line: string): string => {
    let s = line.replace(SECRET_FIELD, (_m, key: string) => `"${key}":"${REDACTED}"`);
    for (const secret of secrets) if (s.includes(secret)) s = s.split(secret).join(REDACTED);
    return s;
  };
  const logger = createLogger({
    level: p.level,
    ...(p.fields ? { fields: p.fields } : {}),
    sink: (line) => out(scrub(line)),
  });
  return Object.assign(logger, {
    addSecret(secret: string) {
      if (secret.length >= 8 && !secrets.includes(secret)) {
        secrets.push(secret);
        // Longest first, so a secret containing another is scrubbed whole.
        secrets.sort((a, b) => b.length - a.length);
      }
    },
  });
}
