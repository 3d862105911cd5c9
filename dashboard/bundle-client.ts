/**
 * Part of `npm run build`: the dashboard page prebuilt into <out> (app.js, app.css, index.html),
 * beside the built server, which then serves them without bundling at start.
 *
 *   tsx dashboard/bundle-client.ts dist/dashboard/client
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { bundleClient } from "./build-client.ts";

const out = resolve(process.argv[2] ?? "dist/dashboard/client");
mkdirSync(out, { recursive: true });
await bundleClient(out);
copyFileSync(join(import.meta.dirname, "client", "index.html"), join(out, "index.html"));
process.stdout.write(`dashboard page bundled into ${out}\n`);
