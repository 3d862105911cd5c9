import { describe, expect, it } from "vitest";
import {
  type AcceptanceInput,
  acCombi,
  acConst,
  acNext,
  acPrev,
  acTime,
  allOf,
  anyOf,
} from "./acceptance.ts";

const input = (p: Partial<AcceptanceInput>): AcceptanceInput => ({
  offered: 0.5,
  myNext: 0.6,
  myLast: 0.7,
  theirEarlier: [0.2, 0.4],
  t: 0.5,
  ...p,
});

describe("acceptance conditions", () => {
  it("AC_next compares with what we would offer next", () => {
    expect(acNext()(input({}))).toBe(false);
    expect(acNext()(input({ offered: 0.6 }))).toBe(true);
    expect(acNext(1.1, 0.05)(input({}))).toBe(true); // 0.55 + 0.05 >= 0.6
  });

  it("AC_prev compares with our last offer", () => {
    expect(acPrev()(input({ offered: 0.7 }))).toBe(true);
    expect(acPrev()(input({ offered: 0.69 }))).toBe(false);
    expect(acPrev()(input({ myLast: undefined, offered: 1 }))).toBe(false);
  });

  it("AC_const and AC_time", () => {
    expect(acConst(0.5)(input({}))).toBe(true);
    expect(acConst(0.51)(input({}))).toBe(false);
    expect(acTime(0.5)(input({}))).toBe(true);
    expect(acTime(0.9)(input({}))).toBe(false);
  });

  it("AC_combi takes the best they have offered once time is short", () => {
    const c = acCombi({ T: 0.9 });
    expect(c(input({ t: 0.5 }))).toBe(false);
    expect(c(input({ t: 0.95 }))).toBe(true); // 0.5 >= max(0.2, 0.4)
    expect(c(input({ t: 0.95, theirEarlier: [0.55] }))).toBe(false);
    // A window looks only at their last offers.
    expect(acCombi({ T: 0.9, window: 1 })(input({ t: 0.95, theirEarlier: [0.55, 0.3] }))).toBe(true);
    // AC_next still applies early.
    expect(c(input({ t: 0.1, offered: 0.65 }))).toBe(true);
  });

  it("combines", () => {
    expect(anyOf(acConst(0.9), acTime(0.4))(input({}))).toBe(true);
    expect(allOf(acConst(0.4), acTime(0.6))(input({}))).toBe(false);
  });
});
