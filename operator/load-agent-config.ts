/**
 * Reads an agent config file: JSON, then the schema. Every problem is one AgentConfigError that
 * names the file and each field at fault (`adapter.deposits: expected a non-negative decimal
 * integer string`), never a stack of zod internals.
 */
import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { type AgentConfig, AgentConfigSchema } from "./agent-config.ts";
import { AgentConfigError } from "./errors.ts";

export type LoadedAgentConfig = {
  config: AgentConfig;
  /** The file, absolute. */
  file: string;
  /** Resolves a path written in the config (relative to the file's folder). */
  resolvePath(path: string): string;
};

/** Parses config JSON already read (`file` is only named in errors and anchors relative paths). */
export function parseAgentConfig(params: { text: string; file: string }): LoadedAgentConfig {
  const file = resolve(params.file);
  let json: unknown;
  try {
    json = JSON.parse(params.text);
  } catch (cause) {
    throw new AgentConfigError({ file, problem: `not JSON: ${(cause as Error).message}`, cause });
  }
  const parsed = AgentConfigSchema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join(".")))];
    throw new AgentConfigError({ file, problem: z.prettifyError(parsed.error), fields, cause: parsed.error });
  }
  const dir = dirname(file);
  return {
    config: parsed.data,
    file,
    resolvePath: (p) => (isAbsolute(p) ? p : resolve(dir, p)),
  };
}

export async function loadAgentConfig(file: string): Promise<LoadedAgentConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new AgentConfigError({
      file,
      problem: `cannot read the file (${(cause as Error).message})`,
      cause,
    });
  }
  return parseAgentConfig({ text, file });
}
