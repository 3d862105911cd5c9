/** The borrower's session report of an auction's outcome (agent-negotiation-hosts.ts). */
import { describe, expect, it } from "vitest";
import { sampleAgreement } from "../negotiation/wire/fixtures.ts";
import { auctionOutcomeAsSession } from "./agent-negotiation-hosts.ts";

const lender = "0x1111111111111111111111111111111111111111" as const;
const borrower = "0x2222222222222222222222222222222222222222" as const;
const agreement = sampleAgreement({ sessionId: `0x${"ab".repeat(32)}`, lender, borrower });

describe("an auction's outcome as the borrower's session outcome", () => {
  it("agreed keeps both signatures and the rounds; the lenders' results are not part of it", () => {
    const s = auctionOutcomeAsSession({
      status: "agreed",
      lender,
      agreement,
      lenderSignature: "0x01",
      borrowerSignature: "0x02",
      rounds: 3,
      lenders: { [lender]: { status: "won" } as never },
    });
    expect(s).toEqual({
      status: "agreed",
      agreement,
      lenderSignature: "0x01",
      borrowerSignature: "0x02",
      rounds: 3,
    });
  });

  it("unconfirmed keeps our signature; no deal is a failed session of zero rounds with its reason", () => {
    expect(
      auctionOutcomeAsSession({
        status: "unconfirmed",
        lender,
        agreement,
        mySignature: "0x03",
        rounds: 2,
        lenders: {},
      }),
    ).toEqual({ status: "unconfirmed", agreement, mySignature: "0x03", rounds: 2 });
    expect(auctionOutcomeAsSession({ status: "no-deal", reason: "no offers", lenders: {} })).toEqual({
      status: "failed",
      reason: "no offers",
      rounds: 0,
    });
  });
});
