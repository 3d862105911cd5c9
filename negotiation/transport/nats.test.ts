import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { natsUrl } from "../../test/harness/nats.ts";
import { until } from "../../test/harness/until.ts";
import { createSharedNatsConnection, type SharedNatsConnection } from "./nats.ts";
import { TransportClosedError } from "./transport.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const subject = () => `test.shared.${randomBytes(4).toString("hex")}`;

describe("createSharedNatsConnection", () => {
  let shared: SharedNatsConnection | undefined;
  afterEach(async () => {
    await shared?.close();
    shared = undefined;
  });

  it("carries messages between transports on one connection", async () => {
    shared = await createSharedNatsConnection({ servers: natsUrl(), name: "shared-test" });
    const a = shared.createTransport({ name: "a" });
    const b = shared.createTransport({ name: "b" });
    const s = subject();
    const got: string[] = [];
    a.subscribe(s, (data, subj) => void got.push(`${subj}:${dec(data)}`));
    await a.flush();
    b.publish(s, enc("one"));
    b.publish(s, enc("two"));
    await until(() => got.length === 2, "two deliveries");
    expect(got).toEqual([`${s}:one`, `${s}:two`]);
  });

  it("closing one transport drops only its subscriptions and refuses its publishes", async () => {
    shared = await createSharedNatsConnection({ servers: natsUrl(), name: "shared-test" });
    const a = shared.createTransport();
    const b = shared.createTransport();
    const s = subject();
    const gotA: string[] = [];
    const gotB: string[] = [];
    a.subscribe(s, (d) => void gotA.push(dec(d)));
    b.subscribe(s, (d) => void gotB.push(dec(d)));
    await shared.flush();
    await a.close();
    expect(a.closed).toBe(true);
    expect(b.closed).toBe(false);
    expect(() => a.publish(s, enc("x"))).toThrow(TransportClosedError);
    expect(() => a.subscribe(s, () => {})).toThrow(TransportClosedError);
    b.publish(s, enc("after"));
    await until(() => gotB.length === 1, "delivery to the open transport");
    await b.flush();
    expect(gotA).toEqual([]);
    expect(shared.closed).toBe(false);
  });

  it("closing the connection closes every transport on it", async () => {
    shared = await createSharedNatsConnection({ servers: natsUrl(), name: "shared-test" });
    const a = shared.createTransport();
    await shared.close();
    expect(shared.closed).toBe(true);
    expect(a.closed).toBe(true);
    expect(() => a.publish(subject(), enc("x"))).toThrow(TransportClosedError);
    expect(() => shared?.createTransport()).toThrow(TransportClosedError);
    await a.close();
  });
});
