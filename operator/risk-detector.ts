/**
 * The operator's `risk.detector` to a ContagionDetector. The contagion model reads the adapter's
 * book (protocol-adapters/book-observation.ts), so an adapter without `book()` is refused here, at
 * start, with the adapter named, rather than at the risk loop's first assessment.
 */
import type { ContagionDetector } from "../agents/risk/contagion-detector.ts";
import { createModelDetector } from "../agents/risk/model-detector.ts";
import { createRuleDetector } from "../agents/risk/rule-detector.ts";
import type { ProtocolAdapter } from "../protocol-adapters/protocol-adapter.ts";
import type { RiskConfig } from "./agent-config.ts";
import { AdapterLoadError } from "./errors.ts";

export function createConfiguredDetector(
  risk: Pick<RiskConfig, "detector">,
  adapter: ProtocolAdapter,
): ContagionDetector {
  switch (risk.detector) {
    case "rule":
      return createRuleDetector();
    case "contagion-model":
      if (!adapter.book)
        throw new AdapterLoadError({
          adapter: adapter.protocolId,
          reason:
            'risk.detector "contagion-model" needs the adapter\'s book() (protocol-adapters/book-observation.ts), and this adapter has none; use "rule" or add book()',
        });
      return createModelDetector();
  }
}
