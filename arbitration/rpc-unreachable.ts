/**
 * A JSON-RPC endpoint that cannot be reached, said in one line with its URL. viem's own errors for
 * this carry the whole request (for a deployment, the contract's bytecode), which is noise when the
 * node is simply not running.
 */
import {
  createPublicClient,
  HttpRequestError,
  http,
  SocketClosedError,
  TimeoutError,
  BaseError as ViemBaseError,
  WebSocketRequestError,
} from "viem";
import { BaseError } from "../core/errors.ts";

export class RpcUnreachableError extends BaseError {
  override name = "RpcUnreachableError";
  override readonly code = "RpcUnreachable";
  readonly url: string;
  constructor({ url, reason, hint, cause }: { url: string; reason: string; hint?: string; cause?: unknown }) {
    super(`Cannot reach the JSON-RPC endpoint ${url}: ${reason}.`, {
      metaMessages: [
        hint ?? "Start the node (e.g. anvil), or point --rpc / $ARBITER_RPC_URL at a running one.",
      ],
      cause,
    });
    this.url = url;
  }
}

/** The innermost message of an error chain ("connect ECONNREFUSED 127.0.0.1:8545"). */
function rootReason(error: unknown): string {
  let e: unknown = error;
  let reason = "no answer";
  for (let depth = 0; depth < 8 && e; depth++) {
    if (e instanceof ViemBaseError) reason = e.details || e.shortMessage || reason;
    else if (e instanceof Error) reason = e.message || reason;
    e = (e as { cause?: unknown }).cause;
  }
  return reason.split("\n")[0]!;
}

/** `error` as an RpcUnreachableError if it is a failure to reach `url` (connection refused, DNS,
 *  timeout, socket closed); undefined for anything else (a revert, bad arguments). */
export function asRpcUnreachable(
  error: unknown,
  url: string,
  hint?: string,
): RpcUnreachableError | undefined {
  if (error instanceof RpcUnreachableError) return error;
  if (!(error instanceof ViemBaseError)) return undefined;
  const transport = error.walk(
    (e) =>
      e instanceof HttpRequestError ||
      e instanceof WebSocketRequestError ||
      e instanceof SocketClosedError ||
      e instanceof TimeoutError,
  );
  if (!transport) return undefined;
  return new RpcUnreachableError({
    url,
    reason: rootReason(transport),
    ...(hint ? { hint } : {}),
    cause: error,
  });
}

/** Asks `url` for its chain id; throws RpcUnreachableError if it does not answer within `timeoutMs`. */
export async function probeRpc(p: { url: string; timeoutMs?: number; hint?: string }): Promise<number> {
  const client = createPublicClient({
    transport: http(p.url, { retryCount: 0, timeout: p.timeoutMs ?? 5_000 }),
  });
  try {
    return await client.getChainId();
  } catch (error) {
    throw (
      asRpcUnreachable(error, p.url, p.hint) ??
      new RpcUnreachableError({
        url: p.url,
        reason: rootReason(error),
        ...(p.hint ? { hint: p.hint } : {}),
        cause: error,
      })
    );
  }
}
