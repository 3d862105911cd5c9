/**
 * A wire message as the dashboard sees it: parsed with the protocol's schemas (parseMessage: every
 * field checked, as an agent does) and, when the arbiter's domain is known, its signature checked
 * against its sender. The dashboard is no party to the session, so recipient, peer, expiry and
 * replay checks (section 6 of docs/PROTOCOL.md) are the agents' business, not its.
 */
import { zeroAddress } from "viem";
import type { ArbiterDomain } from "../core/agreement.ts";
import { recoverDigest } from "../core/signer.ts";
import { hashBody, hashEnvelope } from "../negotiation/wire/envelope-hash.ts";
import { MAX_MESSAGE_BYTES, type Message, parseMessage } from "../negotiation/wire/schemas.ts";
import type { WireInput } from "./inputs.ts";

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** The message's WireInput, or undefined when it is not a valid v0 message (or a forged one). */
export function observeWire(data: Uint8Array, domain: ArbiterDomain | undefined): WireInput | undefined {
  if (data.length > MAX_MESSAGE_BYTES) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(utf8.decode(data));
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const parsed = parseMessage(raw as Record<string, unknown>);
  if (!parsed.success) return undefined;
  const m = parsed.data;
  let verified: boolean | undefined;
  if (domain) {
    const digest = hashEnvelope(domain, {
      v: m.v,
      sessionId: m.sessionId,
      seq: m.seq,
      kind: m.kind,
      from: m.from,
      to: m.to,
      expiry: m.expiry,
      nonce: m.nonce,
      bodyHash: hashBody((raw as { body: unknown }).body),
    });
    try {
      verified = recoverDigest(digest, m.sig, m.from) === m.from;
    } catch {
      verified = false;
    }
    if (!verified) return undefined;
  }
  return toInput(m, verified);
}

function toInput(m: Message, verified: boolean | undefined): WireInput {
  const input: WireInput = {
    type: "wire",
    id: `${m.from}:${m.sessionId}:${m.seq}`.toLowerCase(),
    kind: m.kind,
    sessionId: m.sessionId,
    seq: m.seq,
    from: m.from,
    to: m.to,
    ...(verified === undefined ? {} : { verified }),
  };
  switch (m.kind) {
    case "rfq":
      input.rfq = {
        principalToken: m.body.principalToken,
        principal: m.body.principal.toString(),
        maxRateBps: m.body.maxRateBps,
        tenor: m.body.tenor,
        collateralToken: m.body.collateralToken,
        collateral: m.body.collateral.toString(),
        sealed: m.body.auction !== undefined,
      };
      if (m.to !== zeroAddress) input.to = m.to;
      break;
    case "offer":
    case "reveal": {
      const t = m.body.terms;
      input.terms = {
        principal: t.principal.toString(),
        rateBps: t.rateBps,
        tenor: t.tenor,
        collateral: t.collateral.toString(),
        haircutBps: t.haircutBps,
      };
      break;
    }
    case "confirm":
      input.agreementId = m.body.agreementId;
      break;
    case "reject":
      input.reason = m.body.reason;
      break;
    default:
      break;
  }
  return input;
}
