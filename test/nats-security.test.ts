/**
 * NATS secured as shipped: deploy/nats/nats-server.conf with the identities and permissions
 * `npm run nats:setup` writes (setupNats), on a nats-server this file starts. The server itself must
 * refuse what an agent may not do: read another agent's inbox, publish as another agent, touch
 * another agent's JetStream buckets, or connect without a known key; the dashboard may read and
 * not publish. TLS with a CA generated here (openssl): trusted clients connect, others are refused,
 * and with client verification only clients holding a certificate the CA signed get in.
 */
import { copyFileSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { jetstream } from "@nats-io/jetstream";
import { createUser } from "@nats-io/nkeys";
import {
  connect,
  type NatsConnection,
  type NodeConnectionOptions,
  nkeyAuthenticator,
  PermissionViolationError,
} from "@nats-io/transport-node";
import { privateKeyToAddress } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { anvilAccounts } from "../arbitration/anvil.ts";
import { setupNats } from "../deploy/nats/setup.ts";
import { generateTestCa } from "../deploy/nats/test-ca.ts";
import { openDurableState } from "../negotiation/durable/open-durable-state.ts";
import { inboxSubject, rfqSubject } from "../negotiation/wire/subjects.ts";
import { statusSubject } from "../operator/agent-status.ts";
import { agentInboxPrefix } from "../operator/nats-options.ts";
import { type NatsServer, startNatsServer } from "./harness/nats.ts";
import { until } from "./harness/until.ts";

const SHIPPED_CONFIG = resolve(import.meta.dirname, "../deploy/nats/nats-server.conf");
const A = privateKeyToAddress(anvilAccounts[1]);
const B = privateKeyToAddress(anvilAccounts[2]);
const CHAIN = 31337;
const USDC = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** The shipped config beside freshly generated identities (and TLS), as an operator lays it out. */
function deployment(tls?: { verifyClients: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), "nats-sec-"));
  copyFileSync(SHIPPED_CONFIG, join(dir, "nats-server.conf"));
  const ca = tls ? generateTestCa(join(dir, "ca")) : undefined;
  const setup = setupNats({
    out: join(dir, "generated"),
    chainId: CHAIN,
    agents: [
      { name: "agent-a", address: A },
      { name: "agent-b", address: B },
    ],
    ...(ca && tls
      ? {
          tls: {
            certFile: ca.serverCertFile,
            keyFile: ca.serverKeyFile,
            caFile: ca.caFile,
            verifyClients: tls.verifyClients,
          },
        }
      : {}),
  });
  return { dir, config: join(dir, "nats-server.conf"), setup, ca };
}

const seed = (file: string) => new TextEncoder().encode(readFileSync(file, "utf8").trim());

/** Server errors the connection reports asynchronously (permission violations). */
function violations(nc: NatsConnection): PermissionViolationError[] {
  const seen: PermissionViolationError[] = [];
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "error" && s.error instanceof PermissionViolationError) seen.push(s.error);
    }
  })();
  return seen;
}

describe("per-agent NKey identities and subject permissions", () => {
  let server: NatsServer;
  let d: ReturnType<typeof deployment>;
  const open: NatsConnection[] = [];
  const as = async (name: string, extra: Partial<NodeConnectionOptions> = {}) => {
    const nc = await connect({
      servers: server.url,
      authenticator: nkeyAuthenticator(seed(d.setup.seedFiles[name]!)),
      ...extra,
    });
    open.push(nc);
    return nc;
  };
  const agent = (name: "agent-a" | "agent-b") =>
    as(name, { inboxPrefix: agentInboxPrefix(name === "agent-a" ? A : B) });

  beforeAll(async () => {
    d = deployment();
    server = await startNatsServer({ config: d.config });
  });
  afterAll(async () => {
    await Promise.all(open.map((nc) => nc.close().catch(() => {})));
    await server?.stop();
  });

  it("writes only public keys into the server's config; each seed stays in its own 0600 file", () => {
    const auth = readFileSync(d.setup.authFile, "utf8");
    for (const [name, file] of Object.entries(d.setup.seedFiles)) {
      const text = readFileSync(file, "utf8").trim();
      expect(text).toMatch(/^SU[A-Z2-7]+$/);
      expect(auth).not.toContain(text);
      expect(auth).toContain(d.setup.publicKeys[name]!);
    }
  });

  it("lets an agent send to a peer's inbox and broadcast RFQs, and its peer receive them", async () => {
    const [a, b] = [await agent("agent-a"), await agent("agent-b")];
    const got: string[] = [];
    b.subscribe(inboxSubject(B), { callback: (_e, m) => void got.push(m.subject) });
    b.subscribe(`liq.v0.rfq.${CHAIN}.*`, { callback: (_e, m) => void got.push(m.subject) });
    await b.flush();
    a.publish(inboxSubject(B), "offer");
    a.publish(rfqSubject(CHAIN, USDC), "rfq");
    a.publish(statusSubject(A), "status");
    await a.flush();
    await until(() => got.length === 2, "B's deliveries");
    expect(got).toEqual([inboxSubject(B), rfqSubject(CHAIN, USDC)]);
  });

  it("refuses a subscription to another agent's inbox", async () => {
    const [a, b] = [await agent("agent-a"), await agent("agent-b")];
    const seen = violations(a);
    const stolen: unknown[] = [];
    const sub = a.subscribe(inboxSubject(B), {
      callback: (err, m) => {
        if (!err) stolen.push(m);
      },
    });
    await until(() => seen.length > 0, "the server's permission violation");
    expect(seen[0]).toMatchObject({ operation: "subscription", subject: inboxSubject(B) });
    expect(await sub.closed).toBeInstanceOf(PermissionViolationError);
    b.publish(inboxSubject(B), "for B only");
    await b.flush();
    await a.flush();
    expect(stolen).toEqual([]);
  });

  it("refuses a publish as another agent or outside the protocol's subjects", async () => {
    const a = await agent("agent-a");
    const dash = await as("dashboard");
    const seen = violations(a);
    const heard: string[] = [];
    dash.subscribe("liq.ops.v0.>", { callback: (_e, m) => void heard.push(m.subject) });
    dash.subscribe("liq.v0.>", { callback: (_e, m) => void heard.push(m.subject) });
    await dash.flush();
    a.publish(statusSubject(B), "B's status, forged by A");
    a.publish(rfqSubject(1, USDC), "an RFQ on another chain");
    a.publish("liq.admin.shutdown", "x");
    a.publish(statusSubject(A), "A's own status");
    await a.flush();
    await until(() => seen.length === 3, "three permission violations");
    expect(seen.map((e) => [e.operation, e.subject])).toEqual([
      ["publish", statusSubject(B)],
      ["publish", rfqSubject(1, USDC)],
      ["publish", "liq.admin.shutdown"],
    ]);
    await until(() => heard.length === 1, "the allowed status");
    expect(heard).toEqual([statusSubject(A)]);
  });

  it("lets an agent open its own durable buckets, not another agent's", async () => {
    const a = await agent("agent-a");
    const own = await openDurableState({ connection: a, agent: A });
    await own.sessions.list();
    await own.buckets.seq.put("probe", "1");
    expect((await own.buckets.seq.get("probe"))?.string()).toBe("1");
    const js = jetstream(a, { timeout: 1500 });
    await expect(openDurableState({ connection: js, agent: B })).rejects.toThrow();
  });

  it("lets the dashboard read and publish nothing", async () => {
    const [a, dash] = [await agent("agent-a"), await as("dashboard")];
    const seen = violations(dash);
    const heard: string[] = [];
    dash.subscribe("liq.v0.>", { callback: (_e, m) => void heard.push(m.subject) });
    await dash.flush();
    a.publish(rfqSubject(CHAIN, USDC), "rfq");
    dash.publish(rfqSubject(CHAIN, USDC), "forged rfq");
    await Promise.all([a.flush(), dash.flush()]);
    await until(
      () => seen.length === 1 && heard.length === 1,
      "the dashboard's view and its refused publish",
    );
    expect(seen[0]).toMatchObject({ operation: "publish" });
  });

  it("refuses a key it does not know, and a client without one", async () => {
    const stranger = nkeyAuthenticator(createUser().getSeed());
    await expect(connect({ servers: server.url, authenticator: stranger, reconnect: false })).rejects.toThrow(
      /authoriz/i,
    );
    await expect(connect({ servers: server.url, reconnect: false })).rejects.toThrow(/authoriz/i);
  });
});

describe("TLS with a generated test CA", () => {
  it("accepts clients that trust the CA and refuses the others", async () => {
    const d = deployment({ verifyClients: false });
    const server = await startNatsServer({ config: d.config, jetstream: false });
    const auth = nkeyAuthenticator(seed(d.setup.seedFiles["agent-a"]!));
    try {
      const nc = await connect({ servers: server.url, authenticator: auth, tls: { caFile: d.ca!.caFile } });
      expect(nc.info?.tls_required).toBe(true);
      const got: string[] = [];
      nc.subscribe(inboxSubject(A), {
        callback: (_e, m) => {
          got.push(m.string());
        },
      });
      nc.publish(inboxSubject(A), "over TLS");
      await until(() => got.length === 1, "a message over TLS");
      await nc.close();
      // Without the CA the server's certificate cannot be verified.
      await expect(connect({ servers: server.url, authenticator: auth, reconnect: false })).rejects.toThrow();
    } finally {
      await server.stop();
    }
  });

  it("with client verification, lets in only clients holding a certificate the CA signed", async () => {
    const d = deployment({ verifyClients: true });
    const server = await startNatsServer({ config: d.config, jetstream: false });
    const auth = nkeyAuthenticator(seed(d.setup.seedFiles["agent-b"]!));
    const ca = d.ca!;
    try {
      await expect(
        connect({ servers: server.url, authenticator: auth, reconnect: false, tls: { caFile: ca.caFile } }),
      ).rejects.toThrow();
      const nc = await connect({
        servers: server.url,
        authenticator: auth,
        tls: { caFile: ca.caFile, certFile: ca.clientCertFile, keyFile: ca.clientKeyFile },
      });
      await nc.flush();
      await nc.close();
    } finally {
      await server.stop();
    }
  });
});
