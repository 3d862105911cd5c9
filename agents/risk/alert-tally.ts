/**
 * Counts approvals of alert proposals. Only registered agents count (the contract's registry,
 * known to the agent as a set of addresses); each counts once, with its latest ballot (a voter may
 * change its mind: a later rejection withdraws its approval, and its signature with it). A vote
 * may arrive before its proposal (subjects are not ordered across senders): it waits, bounded.
 * Messages reach the tally already validated (negotiation/risk/risk-codec.ts): envelope and alert
 * signatures are the sender's, replays refused.
 */
import type { Address, Hex } from "viem";
import type { RiskAlert, SignerSignature } from "../../arbitration/typed-data.ts";

export type TalliedProposal = { id: Hex; alert: RiskAlert; proposer: Address };

export type TallyStatus = {
  proposal: TalliedProposal;
  /** Approving registered signers' signatures over the alert, ascending by address. */
  approvals: SignerSignature[];
  rejections: number;
  /** A quorum of registered agents approves it. */
  held: boolean;
};

type Ballot = { approve: boolean; signature?: Hex };

export type AlertTallyParameters = {
  isRegistered: (agent: Address) => boolean;
  /** Distinct registered approvals an alert needs (the contract's alertQuorum). */
  quorum: number;
  /** Most proposals (and early-vote buckets) kept at once. */
  maxOpen?: number;
};

export class AlertTally {
  private readonly proposals = new Map<Hex, TalliedProposal>();
  private readonly ballots = new Map<Hex, Map<string, Ballot>>();
  private readonly maxOpen: number;

  constructor(private readonly p: AlertTallyParameters) {
    this.maxOpen = p.maxOpen ?? 256;
  }

  /** Records a proposal and its proposer's approval. False if refused (unregistered, full). */
  propose(proposal: TalliedProposal, proposerSignature: Hex): boolean {
    if (!this.p.isRegistered(proposal.proposer)) return false;
    if (!this.proposals.has(proposal.id)) {
      if (this.proposals.size >= this.maxOpen) return false;
      this.proposals.set(proposal.id, proposal);
    }
    return this.vote(proposal.id, proposal.proposer, { approve: true, signature: proposerSignature });
  }

  /** Records a registered agent's ballot (replacing its earlier one). False if refused. */
  vote(id: Hex, voter: Address, ballot: Ballot): boolean {
    if (!this.p.isRegistered(voter)) return false;
    if (ballot.approve && !ballot.signature) return false;
    let b = this.ballots.get(id);
    if (!b) {
      if (this.ballots.size >= this.maxOpen) return false;
      b = new Map();
      this.ballots.set(id, b);
    }
    b.set(voter.toLowerCase(), ballot);
    return true;
  }

  status(id: Hex): TallyStatus | undefined {
    const proposal = this.proposals.get(id);
    if (!proposal) return undefined;
    const approvals: SignerSignature[] = [];
    let rejections = 0;
    for (const [voter, b] of this.ballots.get(id) ?? []) {
      if (b.approve && b.signature) approvals.push({ signer: voter as Address, signature: b.signature });
      else rejections++;
    }
    approvals.sort((a, b) => (BigInt(a.signer) < BigInt(b.signer) ? -1 : 1));
    return { proposal, approvals, rejections, held: approvals.length >= this.p.quorum };
  }

  has(id: Hex): boolean {
    return this.proposals.has(id);
  }

  /** Forgets proposals whose alert expired (unix seconds), and early votes that outlived them. */
  /** Drops proposals whose alert expired, and those issued at or before `issuedBy` if given. */
  prune(nowSec: bigint, issuedBy?: bigint): void {
    for (const [id, p] of this.proposals) {
      if (p.alert.expiresAt <= nowSec || (issuedBy !== undefined && p.alert.issuedAt <= issuedBy)) {
        this.proposals.delete(id);
        this.ballots.delete(id);
      }
    }
  }

  /** The open proposals. */
  proposalsOpen(): TalliedProposal[] {
    return [...this.proposals.values()];
  }

  get open(): number {
    return this.proposals.size;
  }
}
