/** Negotiation strategies: the Strategy interface, multi-issue utility, BOA parts and tactics. */
export * from "./acceptance.ts";
export * from "./bidding.ts";
export * from "./boa-strategy.ts";
export * from "./issue-space.ts";
export * from "./model-driven.ts";
export * from "./opponent-model.ts";
export type { SessionView, Side, Strategy, Terms } from "./strategy.ts";
export * from "./time-dependent.ts";
export * from "./time-dependent-utility.ts";
export * from "./tit-for-tat.ts";
export * from "./utility.ts";
