/**
 * The formats of the committed fitted-parameter files (sims/market-data/fitted), one home for both
 * the fitter that writes them and the loader that validates them at run time.
 */
import { z } from "zod";

const num = z.number();
const matrix = z.array(z.array(num));

const GarchAssetFit = z.object({
  mu: num,
  omega: num.positive(),
  alpha: num.nonnegative(),
  beta: num.nonnegative(),
  nu: num.gt(2),
  persistence: num.lt(1),
  halfLifeHours: num,
  /** True when the fit ran into the persistence bound (integrated GARCH: the long-run variance is
   *  not identified, which is why fitted paths target the crisis sample's variance instead). */
  atPersistenceBound: z.boolean(),
  logLikelihood: num,
  observations: num,
  converged: z.boolean(),
});
export type GarchAssetFit = z.infer<typeof GarchAssetFit>;

export const GarchFileSchema = z.object({
  about: z.string(),
  window: z.object({ from: z.string(), to: z.string() }),
  sources: z.record(z.string(), z.string()),
  assets: z.record(z.string(), GarchAssetFit),
  joint: z.object({ assets: z.array(z.string()), correlation: matrix, nu: num.gt(2), observations: num }),
});
export type GarchFile = z.infer<typeof GarchFileSchema>;

const PriceSeriesFit = z.object({
  kind: z.literal("price"),
  /** Mean hourly log return over the sample. */
  mu: num,
  /** Variance of hourly log returns (the level fitted paths target). */
  variance: num.nonnegative(),
  volAnnual: num,
  excessKurtosis: num,
  /** The GARCH fit (garch-t.json) whose alpha and beta drive this series. */
  garch: z.string(),
  /** Student-t degrees of freedom of the sample's standardised returns, shared by all price
   *  series (one mixing draw: they crash together). */
  nu: num.gt(2),
});
export type PriceSeriesFit = z.infer<typeof PriceSeriesFit>;

const PegSeriesFit = z.object({
  kind: z.enum(["peg", "ratio"]),
  phi: num.min(0).max(1),
  residualStd: num.nonnegative(),
  /** Highest level a seeded path may reach. */
  cap: num.positive(),
  excessKurtosis: num,
  /** Student-t degrees of freedom of this peg's standardised residuals (its own mixing draw). */
  nu: num.gt(2),
});
export type PegSeriesFit = z.infer<typeof PegSeriesFit>;

const SampleFit = z.object({
  windows: z.array(z.string()),
  note: z.string(),
  hours: num,
  meanBlockHours: num.min(1),
  order: z.array(z.string()),
  series: z.record(z.string(), z.discriminatedUnion("kind", [PriceSeriesFit, PegSeriesFit])),
  /** Correlation of the standardised innovations (fitted paths), shrunk 2% towards the identity. */
  correlation: matrix,
  /** Correlation of the raw innovations (what the bootstrap keeps), for reference. */
  innovationCorrelation: matrix,
});
export type SampleFit = z.infer<typeof SampleFit>;

export const SamplesFileSchema = z.object({ about: z.string(), samples: z.record(z.string(), SampleFit) });
export type SamplesFile = z.infer<typeof SamplesFileSchema>;
