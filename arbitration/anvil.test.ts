import { createServer } from "node:net";
import { bytesToHex } from "viem";
import { mnemonicToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { ANVIL_MNEMONIC, AnvilStartError, anvilAccounts, freePort, startAnvil } from "./anvil.ts";

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
