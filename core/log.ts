/**
 * Minimal structured logger. Lines are JSON so they can be shipped anywhere; nothing secret
 * (private keys, raw credentials) is ever passed to it.
 */
export type LogLevel = "debug" | "info" | "warn" | "error" | "silent";
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const rank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export type CreateLoggerParameters = {
  level?: LogLevel;
  fields?: LogFields;
  /** Where lines go; defaults to stderr so stdout stays for program output. */
  sink?: (line: string) => void;
};

function replacer(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

export function createLogger(params: CreateLoggerParameters = {}): Logger {
  const envLevel = process.env.LOG_LEVEL as LogLevel | undefined;
  const level: LogLevel = params.level ?? envLevel ?? "warn";
  const base = params.fields ?? {};
  const sink = params.sink ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (lvl: LogLevel, msg: string, fields?: LogFields) => {
    if (rank[lvl] < rank[level]) return;
    sink(JSON.stringify({ t: Date.now(), level: lvl, msg, ...base, ...fields }, replacer));
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (fields) => createLogger({ level, fields: { ...base, ...fields }, sink }),
  };
}

/** A logger that records lines in memory; tests use it to assert that a rejection was logged. */
export function createMemoryLogger(level: LogLevel = "debug"): Logger & { lines: LogFields[] } {
  const lines: LogFields[] = [];
  const logger = createLogger({ level, sink: (line) => lines.push(JSON.parse(line) as LogFields) });
  return Object.assign(logger, { lines });
}
