/** NATS subjects of wire protocol v0. See docs/PROTOCOL.md#subjects. */
import type { Address } from "viem";

export const SUBJECT_PREFIX = "liq.v0";

/** Where RFQs for a principal token are broadcast: `liq.v0.rfq.<chainId>.<token lowercase>`. */
export function rfqSubject(chainId: number, principalToken: Address): string {
  return `${SUBJECT_PREFIX}.rfq.${chainId}.${principalToken.toLowerCase()}`;
}

/** Every RFQ on a chain, for lenders that quote any token: `liq.v0.rfq.<chainId>.*`. */
export function rfqWildcard(chainId: number): string {
  return `${SUBJECT_PREFIX}.rfq.${chainId}.*`;
}

/** An agent's inbox, where all session messages addressed to it go: `liq.v0.agent.<address lowercase>`. */
export function inboxSubject(agent: Address): string {
  return `${SUBJECT_PREFIX}.agent.${agent.toLowerCase()}`;
}
