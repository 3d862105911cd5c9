import { describe, expect, test } from "vitest";
import { liquidityArbiterAbi } from "../contracts/generated/LiquidityArbiter.ts";
import {
  ArbiterRevertError,
  ArbiterUnknownRevertError,
  arbiterErrorFromRevert,
  parseArbiterError,
} from "./errors.ts";

/** Constructor-time errors of OpenZeppelin's EIP712 name handling: unreachable once deployed. */
const deployOnly = new Set(["InvalidShortString", "StringTooLong"]);

const sample: Record<string, unknown> = {
  address: "0x00000000000000000000000000000000000000aa",
  bytes32: `0x${"cd".repeat(32)}`,
  uint8: 1,
  uint64: 1_700_000_000n,
  uint256: 42n,
};

describe("arbiter errors", () => {
  type AbiError = Extract<(typeof liquidityArbiterAbi)[number], { type: "error" }>;
  const errors = liquidityArbiterAbi.filter(
    (item): item is AbiError => item.type === "error" && !deployOnly.has(item.name),
  );

  test.each(errors.map((e) => [e.name, e] as const))("%s has its own class with what to do", (name, item) => {
    const args = item.inputs.map((input) => sample[input.type]);
    const error = arbiterErrorFromRevert({ errorName: name, args });
    expect(error).toBeInstanceOf(ArbiterRevertError);
    expect(error).not.toBeInstanceOf(ArbiterUnknownRevertError);
    expect(error.code).toBe(name);
    expect(error.name).toMatch(/^Arbiter\w+Error$/);
    expect(error.shortMessage.length).toBeGreaterThan(10);
    expect(error.metaMessages.length).toBeGreaterThan(0);
  });

  test("an unknown revert keeps its name; a non-revert passes through unchanged", () => {
    const error = arbiterErrorFromRevert({ errorName: "Panic", args: [17n] });
    expect(error).toBeInstanceOf(ArbiterUnknownRevertError);
    expect(error.errorName).toBe("Panic");
    const network = new Error("socket hang up");
    expect(parseArbiterError(network)).toBe(network);
  });
});
