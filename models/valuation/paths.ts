/** Where the valuation model's shipped files live. */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const VALUATION_DIR = dirname(fileURLToPath(import.meta.url));
export const VALUATION_WEIGHTS = join(VALUATION_DIR, "weights", "valuation.json");
export const VALUATION_CARD = join(VALUATION_DIR, "MODEL_CARD.md");
