import { createServer } from "node:net";
import { bytesToHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { ANVIL_MNEMONIC, AnvilStartError, anvilAccounts, freePort, startAnvil } from "./anvil.ts";
import { createArbiterClients } from "./clients.ts";
import { deployTestToken } from "./deploy-test-token.ts";

async function answers(rpcUrl: string): Promise<boolean> {
  try {
    const res = await fetch(rpcUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
    });
    return res.ok;
  } catch {
    return false;
  }
}

describe("anvil", () => {
  test("anvilAccounts are the default mnemonic's first ten keys", () => {
    const derived = anvilAccounts.map((_, i) =>
      bytesToHex(mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: i }).getHdKey().privateKey!),
    );
    expect(derived).toEqual([...anvilAccounts]);
  });

  test("a second chain in the same process starts the dev accounts' nonces from its own", async () => {
    const deploy = (rpcUrl: string) =>
      deployTestToken({
        clients: createArbiterClients({ rpcUrl, privateKey: anvilAccounts[0] }),
        name: "T",
        symbol: "T",
        decimals: 6,
      });
    const first = await startAnvil();
    try {
      for (let i = 0; i < 3; i++) await deploy(first.rpcUrl);
    } finally {
      await first.stop();
    }
    // Same chain id, fresh chain: the nonce manager's counts from the first would leave this
    // deployment pending forever (anvil holds a nonce gap), and the test would time out.
    const second = await startAnvil();
    try {
      const { address } = await deploy(second.rpcUrl);
      expect(address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    } finally {
      await second.stop();
    }
  }, 20_000);

  test("starts on a free port, answers, and stops", async () => {
    const anvil = await startAnvil({ chainId: 4242 });
    expect(anvil.rpcUrl).toBe(`http://127.0.0.1:${anvil.port}`);
    expect(await answers(anvil.rpcUrl)).toBe(true);
    await anvil.stop();
    await anvil.stop(); // idempotent
    expect(await answers(anvil.rpcUrl)).toBe(false);
  });

  test("a taken port is a typed error, not a hang", async () => {
    const port = await freePort();
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
    try {
      await expect(startAnvil({ port, startTimeoutMs: 5000 })).rejects.toBeInstanceOf(AnvilStartError);
    } finally {
      blocker.close();
    }
  });
});
