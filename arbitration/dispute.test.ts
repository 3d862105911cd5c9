import type { Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { Agreement } from "../core/agreement.ts";
import { type ArbiterFixture, balanceOf, rejection, settleSample, useAnvil } from "../test/harness/anvil.ts";
import { claimDefault } from "./claim-default.ts";
import { counterDispute } from "./counter-dispute.ts";
import { dispute } from "./dispute.ts";
import {
  ArbiterAlreadyDisputedError,
  ArbiterDisputeOpenError,
  ArbiterDisputeWindowClosedError,
  ArbiterDisputeWindowOpenError,
  ArbiterInsufficientSignaturesError,
  ArbiterInvalidRulingError,
  ArbiterInvalidSignatureError,
  ArbiterNoOpenDisputeError,
  ArbiterNotArbiterError,
  ArbiterNotCounterpartyError,
  ArbiterNotDueError,
  ArbiterNotPartyError,
} from "./errors.ts";
import { getArbiterEvents } from "./events.ts";
import { getDispute } from "./get-dispute.ts";
import { getDisputeTerms } from "./get-dispute-terms.ts";
import { getLoan } from "./get-loan.ts";
import { setDisputeParams } from "./governance.ts";
import { resolve } from "./resolve.ts";
import { rule } from "./rule.ts";
import { submitEvidence } from "./submit-evidence.ts";
import { type Ruling, signRuling } from "./typed-data.ts";

const chain = await useAnvil();
let fx: ArbiterFixture;
let snap: Hex;

beforeAll(async () => {
  fx = await chain.deployFixture();
});
beforeEach(async () => {
  snap = await chain.snapshot();
});
afterEach(async () => {
  await chain.revert(snap);
});

const transcript: Hex = `0x${"7e".repeat(32)}`;

/** The sample loan, settled, past its maturity (only a due loan can be disputed), disputed by `by`. */
async function disputed(by: "lender" | "borrower" = "lender"): Promise<{ a: Agreement; id: Hex }> {
  const { agreement: a, id } = await settleSample(chain, fx);
  await chain.increaseTime(BigInt(a.tenor) + 1n);
  await dispute({ clients: fx[by].clients, arbiter: fx.arbiter, agreement: a, evidenceHash: transcript });
  return { a, id };
}

function ruled(r: Ruling, signers = fx.arbiters.slice(0, 2)) {
  return signers.map((p) => signRuling(fx.domain, r, p.signer));
}

describe("dispute", () => {
  test("posts the bond, freezes default claims, and emits the evidence", async () => {
    const lenderUsdc = await balanceOf(fx, fx.usdc, fx.lender.address);
    const { a, id } = await disputed("lender");
    expect(await balanceOf(fx, fx.usdc, fx.lender.address)).toBe(lenderUsdc - a.principal - fx.bond);
    const d = await getDispute({ clients: fx.lender.clients, arbiter: fx.arbiter, id });
    expect(d).toMatchObject({
      open: true,
      round: 1,
      disputer: "Lender",
      counterBonded: false,
      bond: fx.bond,
    });
    expect(d.deadline).toBe((await chain.now()) + fx.liveness);

    const [evidence] = await getArbiterEvents({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      eventName: "Evidence",
      id,
    });
    expect(evidence?.args).toMatchObject({
      id,
      round: 1,
      party: fx.lender.address,
      evidenceHash: transcript,
    });

    await chain.increaseTime(2n * 86_400n);
    const frozen = await rejection(() =>
      claimDefault({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(frozen).toBeInstanceOf(ArbiterDisputeOpenError);
  });

  test("a loan not yet due cannot be disputed: nothing is owed", async () => {
    const { agreement: a, id } = await settleSample(chain, fx);
    const { maturity } = await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id });
    for (const who of [fx.lender, fx.borrower]) {
      const early = await rejection(() =>
        dispute({ clients: who.clients, arbiter: fx.arbiter, agreement: a, evidenceHash: transcript }),
      );
      expect(early).toBeInstanceOf(ArbiterNotDueError);
      expect(early).toMatchObject({ maturity });
    }
    expect(await balanceOf(fx, fx.weth, fx.arbiter)).toBe(a.collateral);
  });

  test("the bond is fixed at settlement: 1 % of the principal, at least the token's minimum", async () => {
    const big = await settleSample(chain, fx);
    expect(
      await getDisputeTerms({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: big.agreement }),
    ).toEqual({
      bond: big.agreement.principal / 100n,
      liveness: fx.liveness,
      arbitrationWindow: fx.arbitrationWindow,
    });
    const small = await settleSample(chain, fx, {
      principal: 1_000n * 10n ** 6n,
      nonce: 2n,
      sessionId: `0x${"22".repeat(32)}`,
    });
    // Later governance changes do not touch settled loans.
    await setDisputeParams({
      clients: fx.deployer.clients,
      arbiter: fx.arbiter,
      bondBps: 5_000,
      liveness: 43_200n,
      arbitrationWindow: 43_200n,
    });
    expect(
      await getDisputeTerms({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: small.agreement }),
    ).toEqual({
      bond: fx.minBond.usdc,
      liveness: fx.liveness,
      arbitrationWindow: fx.arbitrationWindow,
    });
  });

  test("rejects strangers and a second open dispute", async () => {
    const { agreement: a } = await settleSample(chain, fx);
    await chain.increaseTime(BigInt(a.tenor) + 1n);
    const stranger = await rejection(() =>
      dispute({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a, evidenceHash: transcript }),
    );
    expect(stranger).toBeInstanceOf(ArbiterNotPartyError);
    await dispute({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      agreement: a,
      evidenceHash: transcript,
    });
    const twice = await rejection(() =>
      dispute({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, evidenceHash: transcript }),
    );
    expect(twice).toBeInstanceOf(ArbiterDisputeOpenError);
  });
});

describe("counterDispute and submitEvidence", () => {
  test("the counterparty bonds within liveness; arbiters then have the arbitration window", async () => {
    const { a, id } = await disputed("lender");
    const self = await rejection(() =>
      counterDispute({
        clients: fx.lender.clients,
        arbiter: fx.arbiter,
        agreement: a,
        evidenceHash: transcript,
      }),
    );
    expect(self).toBeInstanceOf(ArbiterNotCounterpartyError);
    await counterDispute({
      clients: fx.borrower.clients,
      arbiter: fx.arbiter,
      agreement: a,
      evidenceHash: transcript,
    });
    const d = await getDispute({ clients: fx.lender.clients, arbiter: fx.arbiter, id });
    expect(d.counterBonded).toBe(true);
    expect(d.deadline).toBe((await chain.now()) + fx.arbitrationWindow);
    expect(await balanceOf(fx, fx.usdc, fx.arbiter)).toBe(2n * fx.bond);

    await submitEvidence({
      clients: fx.borrower.clients,
      arbiter: fx.arbiter,
      agreement: a,
      evidenceHash: `0x${"99".repeat(32)}`,
    });
    const evidence = await getArbiterEvents({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      eventName: "Evidence",
      id,
    });
    expect(evidence.map((e) => e.args.party)).toEqual([
      fx.lender.address,
      fx.borrower.address,
      fx.borrower.address,
    ]);
  });

  test("too late after liveness", async () => {
    const { a } = await disputed("lender");
    await chain.increaseTime(fx.liveness + 1n);
    const error = await rejection(() =>
      counterDispute({
        clients: fx.borrower.clients,
        arbiter: fx.arbiter,
        agreement: a,
        evidenceHash: transcript,
      }),
    );
    expect(error).toBeInstanceOf(ArbiterDisputeWindowClosedError);
  });
});

describe("rule", () => {
  test("2 of 3 arbiters give the lender both bonds and the escrow", async () => {
    const { a, id } = await disputed("lender");
    await counterDispute({
      clients: fx.borrower.clients,
      arbiter: fx.arbiter,
      agreement: a,
      evidenceHash: transcript,
    });
    const lenderUsdc = await balanceOf(fx, fx.usdc, fx.lender.address);
    const lenderWeth = await balanceOf(fx, fx.weth, fx.lender.address);
    const r: Ruling = { loanId: id, round: 1, winner: "Lender", closeLoan: true };
    // Unsorted on purpose: rule() sorts.
    await rule({
      clients: fx.stranger.clients,
      arbiter: fx.arbiter,
      agreement: a,
      winner: "Lender",
      closeLoan: true,
      signatures: ruled(r).reverse(),
    });
    expect(await balanceOf(fx, fx.usdc, fx.lender.address)).toBe(lenderUsdc + 2n * fx.bond);
    expect(await balanceOf(fx, fx.weth, fx.lender.address)).toBe(lenderWeth + a.collateral);
    expect(await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).toMatchObject({
      status: "Ruled",
      disputed: false,
    });
    const [event] = await getArbiterEvents({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      eventName: "Ruled",
      id,
    });
    expect(event?.args).toMatchObject({
      winner: 1,
      closeLoan: true,
      byTimeout: false,
      bondsPaid: 2n * fx.bond,
      escrowPaid: a.collateral,
    });
  });

  test("the arbiter set below threshold, a stranger's signature, another ruling's signatures", async () => {
    const { a, id } = await disputed("borrower");
    const r: Ruling = { loanId: id, round: 1, winner: "Borrower", closeLoan: false };
    const base = {
      clients: fx.stranger.clients,
      arbiter: fx.arbiter,
      agreement: a,
      winner: "Borrower" as const,
      closeLoan: false,
    };

    const one = await rejection(() => rule({ ...base, signatures: ruled(r, fx.arbiters.slice(0, 1)) }));
    expect(one).toBeInstanceOf(ArbiterInsufficientSignaturesError);
    expect(one).toMatchObject({ count: 1n, required: 2n });

    const stranger = await rejection(() =>
      rule({ ...base, signatures: ruled(r, [fx.arbiters[0]!, fx.stranger]) }),
    );
    expect(stranger).toBeInstanceOf(ArbiterNotArbiterError);
    expect(stranger).toMatchObject({ signer: fx.stranger.address });

    const other = await rejection(() => rule({ ...base, signatures: ruled({ ...r, closeLoan: true }) }));
    expect(other).toBeInstanceOf(ArbiterInvalidSignatureError);

    const invalid = await rejection(() =>
      rule({
        ...base,
        winner: "None",
        closeLoan: true,
        signatures: ruled({ ...r, winner: "None", closeLoan: true }),
      }),
    );
    expect(invalid).toBeInstanceOf(ArbiterInvalidRulingError);
  });

  test("no open dispute", async () => {
    const { agreement: a, id } = await settleSample(chain, fx);
    await chain.increaseTime(BigInt(a.tenor) + 1n);
    const error = await rejection(() =>
      rule({
        clients: fx.stranger.clients,
        arbiter: fx.arbiter,
        agreement: a,
        winner: "Lender",
        closeLoan: true,
        signatures: ruled({ loanId: id, round: 1, winner: "Lender", closeLoan: true }),
      }),
    );
    expect(error).toBeInstanceOf(ArbiterNoOpenDisputeError);
  });
});

describe("resolve", () => {
  test("not before the deadline; unchallenged, the lender's claim takes the escrow", async () => {
    const { a, id } = await disputed("lender");
    const early = await rejection(() =>
      resolve({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a }),
    );
    expect(early).toBeInstanceOf(ArbiterDisputeWindowOpenError);
    await chain.increaseTime(fx.liveness + 1n);
    const lenderUsdc = await balanceOf(fx, fx.usdc, fx.lender.address);
    const lenderWeth = await balanceOf(fx, fx.weth, fx.lender.address);
    await resolve({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a });
    expect(await balanceOf(fx, fx.usdc, fx.lender.address)).toBe(lenderUsdc + fx.bond);
    expect(await balanceOf(fx, fx.weth, fx.lender.address)).toBe(lenderWeth + a.collateral);
    expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Ruled");
  });

  test("a borrower stalling a default claim with silent arbiters pays its bond to the lender", async () => {
    const { a, id } = await disputed("borrower");
    await counterDispute({
      clients: fx.lender.clients,
      arbiter: fx.arbiter,
      agreement: a,
      evidenceHash: transcript,
    });
    await chain.increaseTime(fx.arbitrationWindow + 1n);
    const [lenderUsdc, borrowerUsdc] = await Promise.all([
      balanceOf(fx, fx.usdc, fx.lender.address),
      balanceOf(fx, fx.usdc, fx.borrower.address),
    ]);
    await resolve({ clients: fx.stranger.clients, arbiter: fx.arbiter, agreement: a });
    expect(await balanceOf(fx, fx.usdc, fx.lender.address)).toBe(lenderUsdc + 2n * fx.bond);
    expect(await balanceOf(fx, fx.usdc, fx.borrower.address)).toBe(borrowerUsdc);
    expect(await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).toMatchObject({
      status: "Active",
      disputed: false,
    });

    // The borrower used its one dispute; the lender claims the default.
    const again = await rejection(() =>
      dispute({ clients: fx.borrower.clients, arbiter: fx.arbiter, agreement: a, evidenceHash: transcript }),
    );
    expect(again).toBeInstanceOf(ArbiterAlreadyDisputedError);
    expect(again).toMatchObject({ party: fx.borrower.address });
    expect(await getDispute({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).toMatchObject({
      open: false,
      round: 1,
      lenderDisputed: false,
      borrowerDisputed: true,
    });
    await claimDefault({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: a });
    expect((await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id })).status).toBe("Defaulted");
  });
});
