/**
 * dashboard/: the live view of agents, negotiations, loans and alerts (`npm run dashboard`). Embed
 * it with startDashboard; plug the risk loop in through a RiskFeed (risk-feed.ts).
 */
export { DashboardState, type DashboardStateOptions } from "./dashboard-state.ts";
export type {
  AlertInput,
  DashboardInput,
  LoanEventInput,
  RecordedInput,
  RiskLevelInput,
  StatusInput,
  WireInput,
} from "./inputs.ts";
export { observeWire } from "./observe-wire.ts";
export type { RiskFeed, RiskInput, RiskProposalView, RiskSnapshotView, RiskVoteView } from "./risk-feed.ts";
export { type CreateRiskLoopFeedParameters, createRiskLoopFeed } from "./risk-loop-feed.ts";
export { type Dashboard, type StartDashboardParameters, startDashboard } from "./server.ts";
export type * from "./view-model.ts";
