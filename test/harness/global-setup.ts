/**
 * vitest globalSetup: resolve a NATS server once for the whole run (see ./nats.ts) and hand its
 * URL to the workers through NATS_URL (inherited by forked workers) and `inject("natsUrl")`.
 * No NATS is a failure, never a skip.
 */
import type { TestProject } from "vitest/node";
import { resolveNats } from "./nats.ts";

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const { url, server } = await resolveNats();
  process.env.NATS_URL = url;
  project.provide("natsUrl", url);
  return async () => {
    await server?.stop();
  };
}
