import type { Hex } from "viem";
import { afterEach, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { type ArbiterFixture, rejection, settleSample, useAnvil } from "../test/harness/anvil.ts";
import { callLoan } from "./call-loan.ts";
import {
  ArbiterInsufficientSignaturesError,
  ArbiterNotCallableError,
  ArbiterRiskLevelTooLowError,
  ArbiterStaleAlertError,
  ArbiterUnregisteredAgentError,
} from "./errors.ts";
import { getLoan } from "./get-loan.ts";
import { getRiskLevel } from "./get-risk-level.ts";
import { raiseAlert } from "./raise-alert.ts";
import { type RiskAlert, signRiskAlert } from "./typed-data.ts";

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

async function alert(level: number, seconds = 3600n): Promise<RiskAlert> {
  const now = await chain.now();
  return { level, evidenceHash: `0x${"ee".repeat(32)}`, issuedAt: now, expiresAt: now + seconds };
}

const quorum = (a: RiskAlert) => [fx.lender, fx.borrower].map((p) => signRiskAlert(fx.domain, a, p.signer));

describe("raiseAlert", () => {
  test("a quorum of registered agents sets the risk level until it expires", async () => {
    expect((await getRiskLevel({ clients: fx.stranger.clients, arbiter: fx.arbiter })).level).toBe(0);
    const a = await alert(3);
    await raiseAlert({ clients: fx.stranger.clients, arbiter: fx.arbiter, alert: a, signatures: quorum(a) });
    expect(await getRiskLevel({ clients: fx.stranger.clients, arbiter: fx.arbiter })).toEqual({
      level: 3,
      expiresAt: a.expiresAt,
      lastAlert: a,
    });
    await chain.increaseTime(3600n);
    expect((await getRiskLevel({ clients: fx.stranger.clients, arbiter: fx.arbiter })).level).toBe(0);
  });

  test("below quorum, an unregistered signer, a replay", async () => {
    const a = await alert(2);
    const [lenderSig] = quorum(a);
    expect(
      await rejection(() =>
        raiseAlert({ clients: fx.stranger.clients, arbiter: fx.arbiter, alert: a, signatures: [lenderSig!] }),
      ),
    ).toBeInstanceOf(ArbiterInsufficientSignaturesError);
    const withStranger = [lenderSig!, signRiskAlert(fx.domain, a, fx.stranger.signer)];
    expect(
      await rejection(() =>
        raiseAlert({ clients: fx.stranger.clients, arbiter: fx.arbiter, alert: a, signatures: withStranger }),
      ),
    ).toBeInstanceOf(ArbiterUnregisteredAgentError);
    await raiseAlert({ clients: fx.stranger.clients, arbiter: fx.arbiter, alert: a, signatures: quorum(a) });
    expect(
      await rejection(() =>
        raiseAlert({ clients: fx.stranger.clients, arbiter: fx.arbiter, alert: a, signatures: quorum(a) }),
      ),
    ).toBeInstanceOf(ArbiterStaleAlertError);
  });
});

describe("callLoan", () => {
  test("only if the agreement allows it and the risk level is high enough", async () => {
    const plain = await settleSample(chain, fx);
    const callable = await settleSample(chain, fx, { nonce: 2n, callRiskLevel: 2 });
    expect(
      await rejection(() =>
        callLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: plain.agreement }),
      ),
    ).toBeInstanceOf(ArbiterNotCallableError);
    const low = await rejection(() =>
      callLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: callable.agreement }),
    );
    expect(low).toBeInstanceOf(ArbiterRiskLevelTooLowError);
    expect(low).toMatchObject({ current: 0, required: 2 });

    const a = await alert(2);
    await raiseAlert({ clients: fx.stranger.clients, arbiter: fx.arbiter, alert: a, signatures: quorum(a) });
    await callLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, agreement: callable.agreement });
    expect(
      (await getLoan({ clients: fx.lender.clients, arbiter: fx.arbiter, id: callable.id })).maturity,
    ).toBe(await chain.now());
  });
});
