/** Negotiation module: wire protocol v0, transports, endpoint, peers. See docs/PROTOCOL.md. */
export * from "./endpoint.ts";
export * from "./peers.ts";
export { PROTOCOL_PARAMETERS, type ProtocolParameter } from "./protocol-parameters.ts";
export * from "./transport/index.ts";
export * from "./wire/index.ts";
