/**
 * What each identity may do on NATS, as nats-server permissions. An agent may:
 *
 *   publish    liq.v0.rfq.<chain>.*          its RFQs (any token)
 *              liq.v0.agent.*                offers and answers to peers' inboxes
 *              liq.ops.v0.status.<address>   its own status (operator/agent-status.ts)
 *              liq.v0.risk.<chain>.snapshot  its signed risk snapshots (agents/risk, PROTOCOL.md §10)
 *              liq.v0.risk.<chain>.alert     alert proposals and votes
 *              its own KV buckets            $KV.<bucket>.> and the JetStream API calls on them
 *   subscribe  liq.v0.agent.<address>        its own inbox, nobody else's
 *              liq.v0.rfq.<chain>.*          RFQs
 *              liq.v0.risk.<chain>.>         peers' risk snapshots, proposals and votes
 *              _INBOX_<address>.>            replies to its own requests (operator/run-agent.ts sets
 *                                            this inbox prefix), not other clients' replies
 *
 * The dashboard may subscribe to the protocol (risk included) and ops subjects and publish nothing.
 * Risk messages are signed (the registry decides whose count), so the subjects are shared.
 */
import type { Address } from "viem";
import { durableBucketNames } from "../../negotiation/durable/open-durable-state.ts";
import { riskAlertSubject, riskSnapshotSubject, riskWildcard } from "../../negotiation/risk/risk-subjects.ts";
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
        riskSnapshotSubject(p.chainId),
        riskAlertSubject(p.chainId),
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
        riskWildcard(p.chainId),
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
