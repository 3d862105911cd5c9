/**
 * The shape of the exposure network: which protocol owes which (deposits, credit lines and LP
 * shares; negotiated loans net of collateral) and which holds whose tokens. The shape changes only
 * when a loan is settled, repaid or defaulted, so it is laid out once (a sparse pattern) and
 * filled with each step's values; the float screen and the exact clearing share it.
 */
import { type SparsePattern, sparsePattern } from "../contagion/sparse-network.ts";
import type { CrossHolding } from "./build-links.ts";
import type { InterProtocolLoan, World } from "./world.ts";

export type NetworkLayout = {
  /** Loans and their statuses when laid out; a change means a new layout. */
  key: string;
  /** Claims in order (debtor, creditor): cross-holdings that are debts, then active loans. */
  claims: { debtor: number; creditor: number; cross?: CrossHolding; loan?: InterProtocolLoan }[];
  /** Rows = debtors (what each owes), one entry per claim. */
  network: SparsePattern;
  /** Rows = holders: the claims (creditor on debtor), then the token holdings. */
  exposures: SparsePattern;
  /** Cross-holdings that are token exposures (issued tokens, collateral), after the claims. */
  tokenHoldings: CrossHolding[];
};

const layouts = new WeakMap<World, NetworkLayout>();

function keyOf(world: World): string {
  let key = `${world.loans.length}`;
  for (const loan of world.loans) key += loan.status === "active" ? "a" : "x";
  return key;
}

export function networkLayout(world: World): NetworkLayout {
  const key = keyOf(world);
  const cached = layouts.get(world);
  if (cached && cached.key === key) return cached;
  const claims: NetworkLayout["claims"] = [];
  const tokenHoldings: CrossHolding[] = [];
  for (const c of world.cross) {
    if (c.holder === c.issuer) continue;
    if (c.form === "deposit" || c.form === "lp-shares" || c.form === "credit-line")
      claims.push({ debtor: c.issuer, creditor: c.holder, cross: c });
    else tokenHoldings.push(c);
  }
  for (const loan of world.loans)
    if (loan.status === "active" && loan.borrower !== loan.lender)
      claims.push({ debtor: loan.borrower, creditor: loan.lender, loan });
  const n = world.protocolCount;
  const network = sparsePattern(
    "network",
    n,
    Int32Array.from(claims, (c) => c.debtor),
    Int32Array.from(claims, (c) => c.creditor),
  );
  const exposures = sparsePattern(
    "exposures",
    n,
    Int32Array.from([...claims.map((c) => c.creditor), ...tokenHoldings.map((c) => c.holder)]),
    Int32Array.from([...claims.map((c) => c.debtor), ...tokenHoldings.map((c) => c.issuer)]),
  );
  const layout = { key, claims, network, exposures, tokenHoldings };
  layouts.set(world, layout);
  return layout;
}
