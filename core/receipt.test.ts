import { type Hex, type TransactionReceipt, TransactionReceiptNotFoundError } from "viem";
import { describe, expect, it } from "vitest";
import { waitForReceipt } from "./receipt.ts";

const hash: Hex = `0x${"ab".repeat(32)}`;
const receipt = { status: "success", transactionHash: hash } as unknown as TransactionReceipt;

/** A client (the RPC is outside the project) answering "not found" `misses` times, then `answer`. */
function client(misses: number, answer: () => TransactionReceipt = () => receipt) {
  let calls = 0;
  return {
    pollingInterval: 5,
    get calls() {
      return calls;
    },
    getTransactionReceipt: async () => {
      calls++;
      if (calls <= misses) throw new TransactionReceiptNotFoundError({ hash });
      return answer();
    },
  };
}

describe("waitForReceipt", () => {
  it("asks again until the receipt exists", async () => {
    const c = client(3);
    await expect(waitForReceipt(c, hash)).resolves.toBe(receipt);
    expect(c.calls).toBe(4);
  });

  it("passes any other error through at once", async () => {
    const c = client(0, () => {
      throw new Error("rpc down");
    });
    await expect(waitForReceipt(c, hash)).rejects.toThrow("rpc down");
    expect(c.calls).toBe(1);
  });

  it("gives up with viem's not-found error after the timeout", async () => {
    await expect(waitForReceipt(client(Number.POSITIVE_INFINITY), hash, 30)).rejects.toBeInstanceOf(
      TransactionReceiptNotFoundError,
    );
  });
});
