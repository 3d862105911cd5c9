/**
 * Secrets named by a config (the agent's key, its keystore password, NATS credentials) are read
 * here and nowhere else. Each value read is also handed to `remember`, so the operator's logger
 * can scrub it from any line that might somehow carry it (operator/operator-log.ts).
 */
import { readFile } from "node:fs/promises";
import type { Hex } from "viem";
import type { AgentConfig } from "./agent-config.ts";
import { MissingSecretError } from "./errors.ts";
import { readKeystore } from "./keystore.ts";

export type SecretContext = {
  env: Record<string, string | undefined>;
  resolvePath(path: string): string;
  /** Called with every secret value read, before it is used. */
  remember(secret: string): void;
};

const PRIVATE_KEY = /^0x[0-9a-fA-F]{64}$/;

function fromEnv(ctx: SecretContext, name: string, what: string): string {
  const value = ctx.env[name]?.trim();
  if (!value) throw new MissingSecretError({ what, source: `$${name}` });
  ctx.remember(value);
  return value;
}

/** The agent's private key, from its keystore or its environment variable. */
export async function readAgentKey(key: AgentConfig["key"], ctx: SecretContext): Promise<Hex> {
  if ("env" in key) {
    const value = fromEnv(ctx, key.env, "private key");
    if (!PRIVATE_KEY.test(value)) {
      throw new MissingSecretError({
        what: "private key",
        source: `$${key.env}`,
        hint: `$${key.env} must hold 0x and 64 hex digits (its value is not shown).`,
      });
    }
    ctx.remember(value.slice(2));
    return value.toLowerCase() as Hex;
  }
  const password = key.passwordEnv
    ? fromEnv(ctx, key.passwordEnv, "keystore password")
    : await readPasswordFile(ctx, key.passwordFile!);
  const privateKey = await readKeystore({ path: ctx.resolvePath(key.keystore), password });
  ctx.remember(privateKey);
  ctx.remember(privateKey.slice(2));
  return privateKey;
}

async function readPasswordFile(ctx: SecretContext, path: string): Promise<string> {
  const file = ctx.resolvePath(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new MissingSecretError({
      what: "keystore password",
      source: file,
      hint: `Create ${file} (mode 0600).`,
    });
  }
  const password = text.split(/\r?\n/)[0] ?? "";
  if (!password) throw new MissingSecretError({ what: "keystore password", source: file });
  ctx.remember(password);
  return password;
}

/** A secret file's text (an NKey seed, a .creds file), remembered for scrubbing. */
export async function readSecretFile(ctx: SecretContext, path: string, what: string): Promise<string> {
  const file = ctx.resolvePath(path);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new MissingSecretError({ what, source: file, hint: `Check that ${file} exists and is readable.` });
  }
  for (const line of text.split(/\r?\n/)) if (line.trim().length >= 16) ctx.remember(line.trim());
  return text;
}

export function readSecretEnv(ctx: SecretContext, name: string, what: string): string {
  return fromEnv(ctx, name, what);
}
