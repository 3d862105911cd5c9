/** Where the market model's files live, relative to the repository root. */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Real market data: --data, else MARKET_DATA, else ../shared/data/market beside the clone. */
export const DEFAULT_DATA_DIR = process.env.MARKET_DATA ?? resolve(REPO_ROOT, "../shared/data/market");
export const WEIGHTS_DIR = join(REPO_ROOT, "models/market/weights");
export const SHIPPED_WEIGHTS = "market-cascade.json";
export const foldWeightsName = (split: string) => `fold-${split}.json`;
export const MODEL_CARD = join(REPO_ROOT, "models/market/MODEL_CARD.md");
export const REPORT_DIR = join(REPO_ROOT, "models-out/market");
