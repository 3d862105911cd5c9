import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { createMemoryLogger } from "../../core/log.ts";
import { selectBackend } from "./backend.ts";

describe("selectBackend", () => {
  it("skips the native backends that are not installed, starts wasm from node_modules and logs it", async () => {
    const logger = createMemoryLogger("info");
    const { backend, tried } = await selectBackend({ logger });
    expect(backend).toBe("wasm");
    expect(tried.map((t) => t.backend)).toEqual(["tensorflow-gpu", "tensorflow"]);
    expect(tf.getBackend()).toBe("wasm");
    expect(logger.lines).toContainEqual(expect.objectContaining({ msg: "tfjs backend", backend: "wasm" }));
    // A real computation on it.
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(await y.data())).toEqual([11]);
  });

  it("can be forced to the pure JS cpu backend and back", async () => {
    expect((await selectBackend({ prefer: "cpu" })).backend).toBe("cpu");
    expect(tf.getBackend()).toBe("cpu");
    expect((await selectBackend({ prefer: "wasm" })).backend).toBe("wasm");
  });

  it("a forced native backend that is not installed fails with the reason", async () => {
    await expect(selectBackend({ prefer: "tensorflow" })).rejects.toThrow(/not installed/);
  });
});
