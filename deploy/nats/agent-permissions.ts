/**
 * What each identity may do on NATS, as nats-server permissions. An agent may:
 *
 *   publish    liq.v0.rfq.<chain>.*          its RFQs (any token)
 *              liq.v0.agent.*                offers and answers to peers' inboxes
 *              liq.ops.v0.status.<address>   its own status (operator/agent-status.ts)
 *              its own KV buckets            $KV.<bucket>.> and the JetStream API calls on them
 *   subscribe  liq.v0.agent.<address>        its own inbox, nobody else's
 *              liq.v0.rfq.<chain>.*          RFQs
 *              _INBOX_<address>.>            replies to its own requests (operator/run-agent.ts sets
 *                                            this inbox prefix), not other clients' replies
 *
 * The dashboard may subscribe to the protocol and ops subjects and publish nothing. Risk snapshots
 * and votes (issue 13) will add their subjects through `extra` when they exist.
 */
import type { Address } from "viem";
import { durableBucketNames } from "../../negotiation/durable/open-durable-state.ts";
import { inboxSubject, rfqWildcard, SUBJECT_PREFIX } from "../../negotiation/wire/subjects.ts";
import { OPS_SUBJECT_PREFIX, statusSubject } from "../../operator/agent-status.ts";
import { agentInboxPrefix } from "../../operator/nats-options.ts";

export type Permissions = {
  publish: { allow: string[]; deny?: string[] };
  subscribe: { allow: string[]; deny?: string[] };
};

export type AgentPermissionsParameters = {
  agent: Address;
  chainId: number;
  /** The agent's durable bucket prefix (config `durable.prefix`). Default "liq-v0". */
  bucketPrefix?: string;
  /** Subjects beyond the negotiation protocol's (the risk loop's, when it has them). */
  extra?: { publish?: string[]; subscribe?: string[] };
};

/** The JetStream API subjects through which a client uses KV bucket `bucket`, and nothing else. */
export function kvBucketSubjects(bucket: string): string[] {
  const stream = `KV_${bucket}`;
  return [
    `$KV.${bucket}.>`,
    `$JS.API.STREAM.CREATE.${stream}`,
    `$JS.API.STREAM.UPDATE.${stream}`,
    `$JS.API.STREAM.INFO.${stream}`,
    `$JS.API.STREAM.MSG.GET.${stream}`,
    `$JS.API.STREAM.PURGE.${stream}`,
    `$JS.API.DIRECT.GET.${stream}`,
    `$JS.API.DIRECT.GET.${stream}.>`,
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.DELETE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.>`,
    `$JS.FC.${stream}.>`,
  ];
}

export function agentPermissions(p: AgentPermissionsParameters): Permissions {
  const buckets = Object.values(durableBucketNames(p.agent, p.bucketPrefix));
  return {
    publish: {
      allow: [
        rfqWildcard(p.chainId),
        `${SUBJECT_PREFIX}.agent.*`,
        statusSubject(p.agent),
        "$JS.API.INFO",
        ...buckets.flatMap(kvBucketSubjects),
        ...(p.extra?.publish ?? []),
      ],
    },
    subscribe: {
      allow: [
        inboxSubject(p.agent),
        rfqWildcard(p.chainId),
        `${agentInboxPrefix(p.agent)}.>`,
        ...(p.extra?.subscribe ?? []),
      ],
    },
  };
}

/** The dashboard: reads the protocol's and the agents' ops subjects; publishes nothing. */
export function dashboardPermissions(): Permissions {
  return {
    publish: { allow: [], deny: [">"] },
    subscribe: { allow: [`${SUBJECT_PREFIX}.>`, `${OPS_SUBJECT_PREFIX}.>`] },
  };
}
