/** Durable negotiation state in JetStream KV: seq leases, replay memory, open sessions, running
 *  auctions and agreements awaiting settlement, so a restarted agent resumes without losing or duplicating. */
export {
  AGREEMENT_STATUSES,
  type AgreementRecord,
  AgreementRecordSchema,
  type AgreementStatus,
  type AgreementStore,
  type ClaimResult,
  type CreateAgreementStoreParameters,
  createAgreementStore,
  type NewAgreement,
} from "./agreement-store.ts";
export {
  type AuctionLenderRecord,
  AuctionLenderRecordSchema,
  type AuctionRecord,
  AuctionRecordSchema,
  type AuctionState,
  type AuctionStore,
  type CreateAuctionStoreParameters,
  createAuctionStore,
  LENDER_ENDS,
  MAX_AUCTION_LENDERS,
} from "./auction-store.ts";
export {
  AgreementStateError,
  DurableConflictError,
  DurableRecordError,
  InvalidKeyError,
} from "./errors.ts";
export {
  type CreateKvReplayCacheParameters,
  createKvReplayCache,
  type KvReplayCache,
  type ReplayRecord,
  ReplayRecordSchema,
  replayKeyOf,
} from "./kv-replay-cache.ts";
export {
  type CreateKvSequencerParameters,
  createKvSequencer,
  type KvSequencer,
  type SequenceLease,
  SequenceLeaseSchema,
} from "./kv-sequencer.ts";
export {
  type DurableState,
  durableBucketNames,
  type OpenDurableStateParameters,
  openDurableState,
} from "./open-durable-state.ts";
export {
  type CreateSessionStoreParameters,
  createSessionStore,
  type SessionRecord,
  SessionRecordSchema,
  type SessionState,
  type SessionStore,
} from "./session-store.ts";
