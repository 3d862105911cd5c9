/**
 * The agent machine's vocabulary (agent-machine.ts): what it depends on, the events it takes, the
 * effects it emits for its host (agent.ts) and its context. Types only.
 */
import type { Address, Hex } from "viem";
import type { Agreement } from "../core/agreement.ts";
import type { Logger } from "../core/log.ts";
import type { SessionOutcome } from "../negotiation/protocols/alternating-offers.ts";
import type { RfqAuctionOutcome } from "../negotiation/protocols/rfq-auction.ts";
import type { Side, Strategy, Terms } from "../negotiation/strategies/strategy.ts";
import type { MarginCallBody, RfqBody } from "../negotiation/wire/schemas.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import type { ProtocolState } from "../protocol-adapters/protocol-state.ts";
import type { AgentPolicy } from "./agent-policy.ts";
import type { ObserverAnswer } from "./borrow/borrow-actors.ts";
import type {
  LenderLoanLent,
  LenderLoanLiquidated,
  LenderLoanMarginCall,
} from "./loans/lender-loan-machine.ts";
import type { LoanStatus, SettlementPort } from "./settlement-port.ts";

export type AgentDeps = {
  address: Address;
  adapter: ProtocolAdapter;
  settlement: SettlementPort;
  policy: AgentPolicy;
  /** How often the agent looks at its protocol, ms. */
  pollMs: number;
  newSessionId: () => Hex;
  /** The on-chain id of an agreement (its EIP-712 digest). */
  agreementId: (agreement: Agreement) => Hex;
  /** Unix seconds on the settlement chain's clock. */
  nowSec: () => bigint;
  log: Logger;
  /** Do not start borrowing until `resume.done` (it observes and lends meanwhile): a restarted
   *  agent first picks up the borrowing it had under way (a loan, a session, an auction), so that
   *  it does not open a second one beside it. */
  awaitResume?: boolean;
  /** As lender, call loans whose callRiskLevel the on-chain risk level reaches (the agents'
   *  quorum posted an alert). Default false. */
  callLoans?: boolean;
};

export type AgentEvent =
  | { type: "tick" }
  | ObserverAnswer
  | { type: "rfq.received"; from: Address; sessionId: Hex; rfq: RfqBody }
  | { type: "auction.finished"; sessionId: Hex; outcome: RfqAuctionOutcome }
  | { type: "session.finished"; side: Side; sessionId: Hex; peer: Address; outcome: SessionOutcome }
  | { type: "loan.closed"; sessionId: Hex; id: Hex; status: LoanStatus | "expired"; agreement: Agreement }
  | LenderLoanLent
  | LenderLoanLiquidated
  | LenderLoanMarginCall
  /** A margin call (docs/PROTOCOL.md §11) arrived from `from`, valid on the wire. */
  | { type: "margin.call"; from: Address; call: MarginCallBody }
  /** A restarted agent found a signed loan of its own, not known to be settled. */
  | { type: "resume.loan"; agreement: Agreement; lenderSignature: Hex; borrowerSignature: Hex }
  /** A restarted agent had signed an agreement as borrower that its lender never confirmed. */
  | { type: "resume.unconfirmed"; agreement: Agreement; mySignature: Hex }
  /** A restarted agent reopened its borrowing: a session with `lender`, or (no lender) its auction. */
  | { type: "resume.borrowing"; sessionId: Hex; rfq: RfqBody; lender?: Address }
  /** A restarted agent has resumed what it had under way: it may start borrowing. */
  | { type: "resume.done" }
  /** A restarted agent reopened a lending session: its principal stays reserved. */
  | { type: "resume.lending"; sessionId: Hex; principal: bigint };

/** What the agent asks its host to do, and what it reports. */
export type AgentEffect =
  /** Broadcast this RFQ and negotiate with every lender that answers, closing with the best. */
  | { type: "effect.openAuction"; sessionId: Hex; rfq: RfqBody; strategyFor: () => Strategy }
  | {
      type: "effect.openSession";
      side: Side;
      sessionId: Hex;
      peer: Address;
      rfq: RfqBody;
      strategy: Strategy;
    }
  /** Commit to this sealed bid on a sealed-bid RFQ (reveal it after the commit deadline). Its end
   *  comes back as a lender `session.finished`. */
  | { type: "effect.placeSealedBid"; sessionId: Hex; peer: Address; rfq: RfqBody; terms: Terms }
  /** A loan we lent ended (repaid, defaulted, or never settled before its deadline): its durable
   *  record closes. Typed, so that durable writes never hang on a report's wording. */
  | {
      type: "effect.loanClosed";
      sessionId: Hex;
      id: Hex;
      status: LoanStatus | "expired";
      agreement: Agreement;
    }
  /** Send this margin call to the borrower of a loan we lent. */
  | { type: "effect.marginCall"; to: Address; call: MarginCallBody }
  | { type: "report"; what: string; data: Record<string, unknown> };

export type BorrowContext = {
  sessionId: Hex;
  rfq: RfqBody;
  /** Set when borrowing resumed from a journaled bilateral session with this lender (not set for
   *  an auction). */
  lender?: Address;
};

/** The borrower's current loan: signed, then settled (id and tx known). A loan the lender settled
 *  after our accept went unconfirmed comes without the lender's signature (we never got it). */
export type Loan = {
  agreement: Agreement;
  lenderSignature?: Hex;
  borrowerSignature?: Hex;
  id?: Hex;
  settleTx?: Hex;
  /** Collateral we added to its escrow since settlement (margined loans). */
  toppedUp?: bigint;
  /** Its lender's margin call waits for our next look at the loan. */
  called?: boolean;
};

export type AgentContext = {
  deps: AgentDeps;
  state: ProtocolState | undefined;
  borrow: BorrowContext | undefined;
  loan: Loan | undefined;
  /** Principal promised in open lender sessions and unsettled agreements, by session id. A loan's
   *  reservation ends once it settled (`loan.lent`: its principal is gone from our cash) or never
   *  will. */
  reserved: Record<Hex, bigint>;
  /** False until `resume.done` when the agent was told to await it. */
  resumed: boolean;
  /** Our latest request to the observer (borrow/borrow-actors.ts): only its answer counts. */
  observeSeq: number;
};
