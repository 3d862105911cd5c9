/**
 * The dashboard bench's baseline: a bare NATS subscriber in a process of its own (as the dashboard
 * is), on `liq.v0.>`, noting when each wire message arrived. It decodes nothing beyond the three
 * fields that name a message. Started by bench/dashboard-latency.ts; answers over IPC.
 *
 *   node --import tsx bench/nats-tap.ts <nats url>
 */
import { connect } from "@nats-io/transport-node";

const url = process.argv[2];
if (url && process.send) {
  const arrivals: Array<[string, number]> = [];
  const nc = await connect({ servers: url, name: "bench-tap" });
  nc.subscribe("liq.v0.>", {
    callback: (_err, msg) => {
      const at = performance.timeOrigin + performance.now();
      const m = msg.json<{ from: string; sessionId: string; seq: number }>();
      arrivals.push([`${m.from}:${m.sessionId}:${m.seq}`.toLowerCase(), at]);
    },
  });
  await nc.flush();
  process.on("message", async (cmd) => {
    if (cmd === "collect") {
      await nc.close();
      // Exit only once the message has left: process.exit would cut a large one short.
      process.send?.({ type: "arrivals", arrivals }, undefined, {}, () => process.exit(0));
    }
  });
  process.send({ type: "ready" });
}
