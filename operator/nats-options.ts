/**
 * How an agent connects to NATS: its credentials (an NKey seed, a .creds file, user and password, or
 * a token, each read from where the config says), TLS with the deployment's CA, and an inbox prefix
 * of its own, so that server permissions (deploy/nats) can let it read its replies and no one else's.
 */
import {
  credsAuthenticator,
  type NodeConnectionOptions,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from "@nats-io/transport-node";
import type { Address } from "viem";
import type { AgentConfig } from "./agent-config.ts";
import { readSecretEnv, readSecretFile, type SecretContext } from "./secrets.ts";

/** The agent's inbox prefix for request/reply (JetStream API answers, KV listings). Per agent, so
 *  server permissions can let it read its own replies and nobody else's (deploy/nats). */
export function agentInboxPrefix(agent: Address): string {
  return `_INBOX_${agent.toLowerCase().slice(2)}`;
}

export async function natsConnectOptions(
  config: AgentConfig,
  agent: Address,
  secrets: SecretContext,
): Promise<Omit<NodeConnectionOptions, "servers" | "name">> {
  const options: Omit<NodeConnectionOptions, "servers" | "name"> = { inboxPrefix: agentInboxPrefix(agent) };
  const auth = config.nats.auth;
  const bytes = (s: string) => new TextEncoder().encode(s.trim());
  if (auth) {
    if ("nkeySeedFile" in auth) {
      options.authenticator = nkeyAuthenticator(
        bytes(await readSecretFile(secrets, auth.nkeySeedFile, "NKey seed")),
      );
    } else if ("nkeySeedEnv" in auth) {
      options.authenticator = nkeyAuthenticator(bytes(readSecretEnv(secrets, auth.nkeySeedEnv, "NKey seed")));
    } else if ("credsFile" in auth) {
      options.authenticator = credsAuthenticator(
        bytes(await readSecretFile(secrets, auth.credsFile, "NATS credentials")),
      );
    } else if ("userEnv" in auth) {
      options.authenticator = usernamePasswordAuthenticator(
        readSecretEnv(secrets, auth.userEnv, "NATS user"),
        readSecretEnv(secrets, auth.passwordEnv, "NATS password"),
      );
    } else {
      options.authenticator = tokenAuthenticator(readSecretEnv(secrets, auth.tokenEnv, "NATS token"));
    }
  }
  const tls = config.nats.tls;
  if (tls) {
    options.tls = {
      caFile: secrets.resolvePath(tls.caFile),
      ...(tls.certFile ? { certFile: secrets.resolvePath(tls.certFile) } : {}),
      ...(tls.keyFile ? { keyFile: secrets.resolvePath(tls.keyFile) } : {}),
    };
  }
  return options;
}
