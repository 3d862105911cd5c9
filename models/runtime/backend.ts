/**
 * TensorFlow.js backend selection, in the order of DESIGN.md: tfjs-node-gpu (if installed and a
 * GPU is present), tfjs-node, tfjs-backend-wasm, then the pure JS cpu backend. The native
 * packages download binaries at install time, so they are never dependencies: they are loaded by
 * dynamic import only if the user installed them. The wasm backend reads its .wasm files from
 * node_modules (no network), under tsx and vitest alike.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import type { Logger } from "../../core/log.ts";

export type BackendName = "tensorflow-gpu" | "tensorflow" | "wasm" | "cpu";
export const BACKEND_ORDER: readonly BackendName[] = ["tensorflow-gpu", "tensorflow", "wasm", "cpu"];

export type SelectBackendParameters = {
  /** Force one backend (e.g. "cpu" in a test); otherwise the first that works in BACKEND_ORDER. */
  prefer?: BackendName | undefined;
  logger?: Logger | undefined;
};

export type SelectBackendReturnType = {
  backend: BackendName;
  tried: { backend: BackendName; error: string }[];
};

const require = createRequire(import.meta.url);

function hasNvidiaGpu(): boolean {
  return existsSync("/dev/nvidia0") || existsSync("/proc/driver/nvidia/version");
}

/** Dynamic import that type-checks without the package installed. */
async function importOptional(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

async function tryNative(pkg: "@tensorflow/tfjs-node-gpu" | "@tensorflow/tfjs-node"): Promise<void> {
  if (pkg === "@tensorflow/tfjs-node-gpu" && !hasNvidiaGpu()) throw new Error("no NVIDIA GPU present");
  try {
    require.resolve(pkg);
  } catch {
    throw new Error(`${pkg} is not installed (optional: npm install ${pkg})`);
  }
  await importOptional(pkg);
  if (!(await tf.setBackend("tensorflow"))) throw new Error(`${pkg} loaded but its backend did not start`);
}

let wasmReady: Promise<void> | undefined;
async function tryWasm(): Promise<void> {
  wasmReady ??= (async () => {
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const dist = join(dirname(require.resolve("@tensorflow/tfjs-backend-wasm/package.json")), "dist");
    wasm.setWasmPaths(`${dist}/`);
    // Emscripten's Node glue adds process handlers that rethrow every uncaught error from inside
    // its minified bundle; keep the process's own handlers (ours, vitest's) in charge.
    const before = {
      uncaughtException: new Set(process.listeners("uncaughtException")),
      unhandledRejection: new Set(process.listeners("unhandledRejection")),
    };
    const ok = await tf.setBackend("wasm");
    for (const l of process.listeners("uncaughtException"))
      if (!before.uncaughtException.has(l)) process.removeListener("uncaughtException", l);
    for (const l of process.listeners("unhandledRejection"))
      if (!before.unhandledRejection.has(l)) process.removeListener("unhandledRejection", l);
    if (!ok) throw new Error("the wasm backend did not start");
  })();
  try {
    await wasmReady;
  } catch (e) {
    wasmReady = undefined;
    throw e;
  }
  if (!(await tf.setBackend("wasm"))) throw new Error("the wasm backend did not start");
}

async function tryBackend(name: BackendName): Promise<void> {
  switch (name) {
    case "tensorflow-gpu":
      return tryNative("@tensorflow/tfjs-node-gpu");
    case "tensorflow":
      return tryNative("@tensorflow/tfjs-node");
    case "wasm":
      return tryWasm();
    case "cpu":
      if (!(await tf.setBackend("cpu"))) throw new Error("the cpu backend did not start");
  }
}

/** Picks and initialises the backend; logs which one is in use (and why others were skipped). */
export async function selectBackend(params: SelectBackendParameters = {}): Promise<SelectBackendReturnType> {
  const envPrefer = process.env.TFJS_BACKEND as BackendName | undefined;
  const prefer = params.prefer ?? (envPrefer && BACKEND_ORDER.includes(envPrefer) ? envPrefer : undefined);
  const order = prefer ? [prefer] : BACKEND_ORDER;
  const tried: SelectBackendReturnType["tried"] = [];
  // tfjs prints a banner urging tfjs-node on first use of the cpu backend; we log our own choice
  // (and why native backends were skipped) instead. PROD only silences tfjs's warnings here.
  tf.env().set("PROD", true);
  for (const name of order) {
    try {
      await tryBackend(name);
      await tf.ready();
      params.logger?.info("tfjs backend", { backend: name, skipped: tried });
      return { backend: name, tried };
    } catch (e) {
      tried.push({ backend: name, error: e instanceof Error ? e.message : String(e) });
    }
  }
  throw new Error(`no TensorFlow.js backend could start: ${JSON.stringify(tried)}`);
}
