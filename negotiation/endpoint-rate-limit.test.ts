/**
 * A peer that floods an endpoint is cut off at its rate: the excess is refused with a typed
 * error and a log line, other peers are unaffected, and a throttled message leaves no trace (the
 * same message is accepted once the peer's bucket refills).
 */
import { describe, expect, it } from "vitest";
import { createMemoryLogger } from "../core/log.ts";
import { createEndpoint } from "./endpoint.ts";
import { createPeerRegistry } from "./peers.ts";
import { createInProcessBus } from "./transport/in-process.ts";
import { encodeMessage } from "./wire/encode-message.ts";
import { newSigner, sampleBody, sessionIdOf, testDomain } from "./wire/fixtures.ts";
import { inboxSubject } from "./wire/subjects.ts";

describe("endpoint rate limit", () => {
  it("throttles a flooding peer only, and a throttled message can be sent again", async () => {
    const me = newSigner();
    const flooder = newSigner();
    const polite = newSigner();
    const peers = createPeerRegistry([
      { address: flooder.address, name: "flooder", protocol: "amm" },
      { address: polite.address, name: "polite", protocol: "lending" },
    ]);
    const bus = createInProcessBus();
    const log = createMemoryLogger("warn");
    let now = 1_700_000_000_000;
    const endpoint = createEndpoint({
      transport: bus.createTransport({ name: "me" }),
      signer: me,
      domain: testDomain,
      peers,
      log,
      clock: { now: () => now },
      rateLimit: { perSecond: 10, burst: 5 },
    });
    const received: string[] = [];
    endpoint.onMessage((m) => {
      received.push(m.from);
    });
    await endpoint.flush();
    const raw = bus.createTransport({ name: "raw" });
    const sessionId = sessionIdOf("flood");
    const offer = (signer: typeof me, seq: number) =>
      encodeMessage({
        domain: testDomain,
        signer,
        kind: "offer",
        sessionId,
        seq,
        to: me.address,
        expiry: now + 30_000,
        body: sampleBody("offer", { sessionId, sender: signer, peer: me.address }),
      });
    const flood = Array.from({ length: 20 }, (_, i) => offer(flooder, i));
    for (const m of flood) await raw.publish(inboxSubject(me.address), m.bytes);
    await raw.publish(inboxSubject(me.address), offer(polite, 0).bytes);
    await bus.flush();

    expect(received.filter((a) => a === flooder.address)).toHaveLength(5);
    expect(received.filter((a) => a === polite.address)).toHaveLength(1);
    expect(endpoint.stats().rejectedByCode.RateLimited).toBe(15);
    expect(log.lines.some((l) => l.code === "RateLimited")).toBe(true);

    // A second later the bucket has refilled: a throttled message (seq 5) is accepted as new.
    now += 1_000;
    await raw.publish(inboxSubject(me.address), flood[5]!.bytes);
    await bus.flush();
    expect(received.filter((a) => a === flooder.address)).toHaveLength(6);
    await endpoint.close();
  });
});
