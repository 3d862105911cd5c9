import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ManifestError } from "../../errors.ts";
import { dataFile, haveMarketData } from "../../testing/market-data.ts";
import { loadManifest, parseManifest } from "./manifest.ts";

const dir = mkdtempSync(join(tmpdir(), "manifest-"));
const write = (name: string, json: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, typeof json === "string" ? json : JSON.stringify(json));
  return f;
};
const fail = (fn: () => unknown): ManifestError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ManifestError) return e;
    throw e;
  }
  throw new Error("did not throw");
};

describe("score-market manifest", () => {
  it("requires ethPrice and names it", () => {
    const e = fail(() => parseManifest({ json: { btcPrice: "b.csv" }, manifest: "m.json" }));
    expect(e.role).toBe("ethPrice");
    expect(e.message).toMatch(/role "ethPrice": is required/);
  });
  it("refuses an unknown role (a typo) by name", () => {
    const e = fail(() =>
      parseManifest({ json: { ethPrice: "e.csv", ethFundng: "f.csv" }, manifest: "m.json" }),
    );
    expect(e.message).toMatch(/role "ethFundng": is not a role/);
  });
  it("refuses a non-string path, naming the role", () => {
    const e = fail(() => parseManifest({ json: { ethPrice: "e.csv", daiPrice: 3 }, manifest: "m.json" }));
    expect(e.role).toBe("daiPrice");
  });
  it("a manifest that is not there, or not JSON", () => {
    expect(fail(() => loadManifest(join(dir, "none.json"))).message).toMatch(/does not exist/);
    expect(fail(() => loadManifest(write("bad.json", "{nope"))).message).toMatch(/not valid JSON/);
  });
  it("names the role and the missing file", () => {
    const m = write("missing.json", { ethPrice: "nowhere/eth.csv" });
    const e = fail(() => loadManifest(m));
    expect(e.role).toBe("ethPrice");
    expect(e.message).toContain(join(dir, "nowhere/eth.csv"));
  });
  it.skipIf(!haveMarketData)(
    "loads role files relative to the manifest and names the role of a bad one",
    () => {
      const m = write("ok.json", {
        ethPrice: dataFile("price_ETHUSDT_1h_binance-usdm-perp_2023-01_2024-12.csv"),
        ethFunding: dataFile("funding_ETHUSDT-perp_1h_dydx_2022-2023.csv"),
      });
      const { inputs } = loadManifest(m);
      expect(inputs.ethPrice.knownAtMs.length).toBe(17544);
      expect(inputs.ethFunding?.intervalMs).toBe(3_600_000);
      const wrong = write("wrong.json", { ethPrice: dataFile("funding_ETHUSDT-perp_1h_dydx_2022-2023.csv") });
      const e = fail(() => loadManifest(wrong));
      expect(e.role).toBe("ethPrice");
      expect(e.message).toMatch(/funding-fetcher layout/);
    },
  );
});
