/**
 * Event readers: every state change of the arbiter is an event; these return them decoded and
 * typed, oldest first.
 */
import type { Address, ContractEventName, GetContractEventsReturnType, Hex } from "viem";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import { AGREEMENT_FIELDS, type Agreement } from "../core/agreement.ts";
import type { ArbiterReadClients } from "./clients.ts";

type Abi = typeof liquidityArbiterAbi;
export type ArbiterEventName = ContractEventName<Abi>;

export type GetArbiterEventsParameters<name extends ArbiterEventName | undefined = undefined> = {
  clients: ArbiterReadClients;
  arbiter: Address;
  /** One event type; all when omitted. */
  eventName?: name;
  /** Only events of this loan (events indexed by `id`). */
  id?: Hex | undefined;
  fromBlock?: bigint | undefined;
  toBlock?: bigint | undefined;
};
export type GetArbiterEventsReturnType<name extends ArbiterEventName | undefined = undefined> =
  GetContractEventsReturnType<Abi, name>;

export async function getArbiterEvents<name extends ArbiterEventName | undefined = undefined>(
  params: GetArbiterEventsParameters<name>,
): Promise<GetArbiterEventsReturnType<name>> {
  const { clients, arbiter, eventName, id, fromBlock, toBlock } = params;
  const logs = await clients.public.getContractEvents({
    address: arbiter,
    abi: liquidityArbiterAbi,
    ...(eventName ? { eventName } : {}),
    fromBlock: fromBlock ?? 0n,
    ...(toBlock !== undefined ? { toBlock } : {}),
  });
  const filtered =
    id === undefined
      ? logs
      : logs.filter((log) => {
          const args = (log as { args?: { id?: Hex } }).args;
          return args?.id?.toLowerCase() === id.toLowerCase();
        });
  return filtered as unknown as GetArbiterEventsReturnType<name>;
}

export type GetSettledAgreementParameters = {
  clients: ArbiterReadClients;
  arbiter: Address;
  id: Hex;
  fromBlock?: bigint | undefined;
};
export type GetSettledAgreementReturnType =
  | { agreement: Agreement; maturity: bigint; amountDue: bigint; transactionHash: Hex; blockNumber: bigint }
  | undefined;

/** The agreement in its canonical form: optional fields absent when zero, as buildAgreement writes
 *  them (absent and zero hash the same). */
function withoutZeroOptionals(a: Agreement): Agreement {
  const out: Record<string, unknown> = { ...a };
  for (const f of AGREEMENT_FIELDS) {
    if ("optional" in f && (out[f.name] === 0 || out[f.name] === 0n)) delete out[f.name];
  }
  return out as Agreement;
}

/** The agreement a loan was settled with, from its Settled event (the contract stores only a
 *  digest of the terms), optional fields absent when zero; undefined if `id` was never settled. */
export async function getSettledAgreement(
  params: GetSettledAgreementParameters,
): Promise<GetSettledAgreementReturnType> {
  const { clients, arbiter, id, fromBlock } = params;
  const logs = await clients.public.getContractEvents({
    address: arbiter,
    abi: liquidityArbiterAbi,
    eventName: "Settled",
    args: { id },
    fromBlock: fromBlock ?? 0n,
  });
  const log = logs[0];
  if (!log) return undefined;
  const { agreement, maturity, amountDue } = log.args as {
    agreement: Agreement;
    maturity: bigint;
    amountDue: bigint;
  };
  return {
    agreement: withoutZeroOptionals(agreement),
    maturity,
    amountDue,
    transactionHash: log.transactionHash,
    blockNumber: log.blockNumber,
  };
}
