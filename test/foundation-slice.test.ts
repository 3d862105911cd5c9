/**
 * The walking skeleton end to end: B (perp exchange, short) borrows from A (lending market,
 * surplus) by signed RFQ → offer → counter → accept → confirm, settles on the real contract on
 * anvil, and repays. The same scenario runs over the in-process bus and over a real NATS server.
 */
import { describe, expect, it } from "vitest";
import type { Activity } from "../agents/agent.ts";
import { amountDue, hashAgreement } from "../core/agreement.ts";
import { createInProcessBus } from "../negotiation/transport/in-process.ts";
import { createNatsTransport } from "../negotiation/transport/nats.ts";
import type { Transport } from "../negotiation/transport/transport.ts";
import { runFoundationScenario } from "../sims/foundation-scenario.ts";
import { useAnvil } from "./harness/anvil.ts";
import { useIsolatedNats } from "./harness/nats.ts";

// Agents on anvil's accounts and tokens use the inbox and RFQ subjects other agent test files use:
// a NATS server of this file's own.
const natsServer = useIsolatedNats();

const transports: Array<[string, () => (name: string) => Promise<Transport> | Transport]> = [
  [
    "in-process bus",
    () => {
      const bus = createInProcessBus();
      return (name) => bus.createTransport({ name });
    },
  ],
  ["NATS", () => (name) => createNatsTransport({ servers: natsServer.url, name })],
];

describe.each(transports)("foundation slice over the %s", (_label, makeFactory) => {
  it("negotiates, settles on-chain, and repays", async () => {
    const chain = await useAnvil();
    const activity: Activity[] = [];
    const opened: Transport[] = [];
    const factory = makeFactory();
    const result = await runFoundationScenario({
      rpcUrl: chain.rpcUrl,
      createTransport: async (name) => {
        const t = await factory(name);
        opened.push(t);
        return t;
      },
      onActivity: (a) => activity.push(a),
    });
    await Promise.all(opened.map((t) => t.close()));

    const { agreement, balances } = result;
    const { before, settled, repaid } = balances;
    const due = amountDue(agreement);

    // The conversation: RFQ, an offer, at least one counter, acceptance, countersignature.
    const sent = activity.filter((a) => a.type === "sent").map((a) => `${a.agent.slice(0, 1)}:${a.kind}`);
    expect(sent[0]).toBe("B:rfq");
    expect(sent[1]).toBe("A:offer");
    expect(sent[2]).toBe("B:offer");
    expect(sent.filter((k) => k.endsWith(":accept"))).toHaveLength(1);
    expect(sent.at(-1)).toMatch(/:confirm$/);

    // The agreement is what both signed, between the right parties, within both reservations.
    expect(agreement.lender).toBe(result.lender.address);
    expect(agreement.borrower).toBe(result.borrower.address);
    expect(agreement.principal).toBe(600_000n * 10n ** 6n);
    expect(agreement.rateBps).toBeLessThanOrEqual(2500);
    expect(result.loan.id).toBe(
      hashAgreement({ chainId: 31337, verifyingContract: result.arbiter }, agreement),
    );

    // Settlement: A's principal reached B, B's collateral sits in escrow.
    expect(settled.lender.usdc).toBe(before.lender.usdc - agreement.principal);
    expect(settled.borrower.usdc).toBe(before.borrower.usdc + agreement.principal);
    expect(settled.borrower.weth).toBe(before.borrower.weth - agreement.collateral);
    expect(settled.arbiter.weth).toBe(agreement.collateral);

    // Repayment: A got principal plus interest, B got its collateral back, escrow is empty.
    expect(repaid.lender.usdc).toBe(before.lender.usdc - agreement.principal + due);
    expect(repaid.borrower.weth).toBe(before.borrower.weth);
    expect(repaid.arbiter).toEqual({ usdc: 0n, weth: 0n });
    expect(result.loan.status).toBe("Repaid");
  });
});
