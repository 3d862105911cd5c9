/**
 * The risk loop of one agent, as two parallel regions:
 *
 *   assess: waiting ──after `cadence` / risk.poke──▶ assessing (features + detector + on-chain level)
 *                ▲                                        │ emits effect.riskSnapshot, and
 *                └────────────────────────────────────────┘ effect.proposeAlert when its own view crosses
 *                                                           a level above the one in force
 *   alert:  calm ──alert.held──▶ holding ──after `alertExpiry` / alert.fell──▶ calm
 *                                  │ entry: effect.stance(level); exit back to calm: effect.stance(0)
 *                                  │ a held renewal (same level, later expiry) re-enters: new expiry
 *                                  └ chain: awaitingTurn ──after `submitTurn`──▶ submitting ──▶ posted
 *
 * Every wait is an xstate delay, so a SimulatedClock drives the loop in tests. I/O (snapshot,
 * chain reads and writes) runs in invoked actors passed in by the host (risk-agent.ts). Restart: a
 * restarted agent starts calm and learns a standing alert from the chain (its first assessment
 * reads the on-chain level), so its stance follows the alert in force without a second vote.
 */
import type { Hex } from "viem";
import { assign, emit, enqueueActions, fromPromise, setup } from "xstate";
import type { RiskAlert, SignerSignature } from "../../arbitration/typed-data.ts";
import type { ContagionEstimate, RiskBook, RiskFeatures } from "../../negotiation/risk/risk-schemas.ts";

export type Assessment = {
  features: RiskFeatures;
  estimates: ContagionEstimate[];
  /** The level this agent would propose from its own view (0: none). */
  proposeLevel: number;
  /** Its own book for peers' models, when its adapter reports one (published in its snapshot). */
  book?: RiskBook;
  /** The standing on-chain alert, when the agent has a chain to read. */
  chain?: { level: number; expiresAtSec: bigint; alert?: RiskAlert; id?: Hex };
};

export type HeldAlert = {
  id: Hex;
  alert: RiskAlert;
  /** The quorum's signatures; empty when learned from the chain (already posted). */
  signatures: SignerSignature[];
  /** Wait this long before submitting (0 = first in turn); undefined = do not submit. */
  submitAfterMs?: number;
};

export type RiskLoopDeps = {
  cadenceMs: number;
  /** Unix seconds on the alerts' clock (the chain's): when a held alert expires. */
  nowSec: () => bigint;
  /** The same clock in milliseconds, when it has them: an alert then ends at its expiry second
   *  exactly, not up to a second later (the loop's own clock; default: nowSec's seconds). */
  nowMs?: () => number;
  /** Renew a held alert our own view still supports once it would expire within this many
   *  seconds (default: never). An alert that lapses unwinds every stance; a quorum that still
   *  sees the danger renews it first, as the contract accepts a newer alert at the same level. */
  renewWithinSec?: number;
  assess: () => Promise<Assessment>;
  /** Posts the alert unless the chain holds it already. */
  submit: (held: HeldAlert) => Promise<{ posted: boolean; hash?: Hex }>;
};

export type RiskLoopEvent =
  | { type: "risk.poke" }
  | ({ type: "alert.held" } & HeldAlert)
  /** The on-chain level fell below the held alert's (another alert replaced it or it was lifted). */
  | { type: "alert.fell" }
  /** Our proposal expired without reaching a quorum: we may propose again. */
  | { type: "proposal.lapsed" };

export type RiskLoopEffect =
  | { type: "effect.riskSnapshot"; assessment: Assessment }
  | { type: "effect.proposeAlert"; level: number; assessment: Assessment }
  | { type: "effect.stance"; level: number; id?: Hex }
  | { type: "effect.alertPosted"; id: Hex; posted: boolean; hash?: Hex }
  | { type: "effect.alertSubmitFailed"; id: Hex; error: string };

type Context = {
  deps: RiskLoopDeps;
  held: HeldAlert | undefined;
  lastProposedLevel: number;
  /** The held alert we proposed a renewal of (once per alert). */
  renewing: Hex | undefined;
};

export const riskLoopMachine = setup({
  types: {
    context: {} as Context,
    input: {} as RiskLoopDeps,
    events: {} as RiskLoopEvent,
    emitted: {} as RiskLoopEffect,
  },
  actors: {
    assess: fromPromise<Assessment, RiskLoopDeps>(({ input }) => input.assess()),
    submit: fromPromise<{ posted: boolean; hash?: Hex }, { deps: RiskLoopDeps; held: HeldAlert }>(
      ({ input }) => input.deps.submit(input.held),
    ),
  },
  delays: {
    cadence: ({ context }) => context.deps.cadenceMs,
    alertExpiry: ({ context }) => {
      const endMs = Number(context.held?.alert.expiresAt ?? 0n) * 1000;
      const nowMs = context.deps.nowMs ? context.deps.nowMs() : Number(context.deps.nowSec()) * 1000;
      return Math.max(0, endMs - nowMs);
    },
    submitTurn: ({ context }) => context.held?.submitAfterMs ?? 0,
  },
  guards: {
    raisesLevel: ({ context, event }) =>
      event.type === "alert.held" && event.alert.level > (context.held?.alert.level ?? 0),
    renewsHeld: ({ context, event }) =>
      event.type === "alert.held" &&
      context.held !== undefined &&
      event.alert.level === context.held.alert.level &&
      event.alert.expiresAt > context.held.alert.expiresAt,
    shouldSubmit: ({ context }) => context.held?.submitAfterMs !== undefined,
  },
  actions: {
    hold: assign({ held: ({ event }) => (event.type === "alert.held" ? { ...event } : undefined) }),
    applyHeld: emit(({ context }) => ({
      type: "effect.stance" as const,
      level: context.held?.alert.level ?? 0,
      ...(context.held ? { id: context.held.id } : {}),
    })),
    unwind: enqueueActions(({ enqueue }) => {
      enqueue.emit({ type: "effect.stance", level: 0 });
      enqueue.assign({ held: undefined, lastProposedLevel: 0, renewing: undefined });
    }),
    considerAssessment: enqueueActions(({ context, event, enqueue }) => {
      const a = (event as unknown as { output: Assessment }).output;
      enqueue.emit({ type: "effect.riskSnapshot", assessment: a });
      const chain = a.chain;
      const heldLevel = context.held?.alert.level ?? 0;
      // The chain is the source of truth for alerts in force: follow one we did not see voted.
      // Not one our clock says has expired (the chain's block time may lag ours): following it would
      // apply and unwind the stance in the same breath, at every assessment.
      if (chain?.alert && chain.id && chain.level > heldLevel && chain.expiresAtSec > context.deps.nowSec()) {
        enqueue.raise({ type: "alert.held", id: chain.id, alert: chain.alert, signatures: [] });
        return;
      }
      if (chain && context.held && chain.level < heldLevel && context.held.submitAfterMs === undefined) {
        enqueue.raise({ type: "alert.fell" });
        return;
      }
      const held = context.held;
      const renewWithin = context.deps.renewWithinSec;
      if (
        held &&
        renewWithin !== undefined &&
        a.proposeLevel >= heldLevel &&
        context.renewing !== held.id &&
        held.alert.expiresAt - context.deps.nowSec() <= BigInt(renewWithin)
      ) {
        enqueue.assign({ renewing: held.id });
        enqueue.emit({ type: "effect.proposeAlert", level: heldLevel, assessment: a });
        return;
      }
      if (a.proposeLevel > heldLevel && a.proposeLevel > context.lastProposedLevel) {
        enqueue.assign({ lastProposedLevel: a.proposeLevel });
        enqueue.emit({ type: "effect.proposeAlert", level: a.proposeLevel, assessment: a });
      }
    }),
  },
}).createMachine({
  id: "riskLoop",
  type: "parallel",
  context: ({ input }) => ({ deps: input, held: undefined, lastProposedLevel: 0, renewing: undefined }),
  on: {
    "proposal.lapsed": {
      actions: assign({ lastProposedLevel: ({ context }) => context.held?.alert.level ?? 0 }),
    },
  },
  states: {
    assess: {
      initial: "assessing",
      states: {
        waiting: {
          after: { cadence: "assessing" },
          on: { "risk.poke": "assessing" },
        },
        assessing: {
          invoke: {
            src: "assess",
            input: ({ context }) => context.deps,
            onDone: { target: "waiting", actions: "considerAssessment" },
            onError: "waiting",
          },
        },
      },
    },
    alert: {
      initial: "calm",
      states: {
        calm: {
          on: { "alert.held": { target: "holding", actions: "hold" } },
        },
        holding: {
          entry: "applyHeld",
          after: { alertExpiry: { target: "calm", actions: "unwind" } },
          on: {
            "alert.held": [
              { guard: "raisesLevel", target: "holding", reenter: true, actions: "hold" },
              { guard: "renewsHeld", target: "holding", reenter: true, actions: "hold" },
              // Learned from the chain first, its signatures arrive later: nothing to redo.
            ],
            "alert.fell": { target: "calm", actions: "unwind" },
          },
          initial: "deciding",
          states: {
            deciding: { always: [{ guard: "shouldSubmit", target: "awaitingTurn" }, { target: "posted" }] },
            awaitingTurn: { after: { submitTurn: "submitting" } },
            submitting: {
              invoke: {
                src: "submit",
                input: ({ context }) => ({ deps: context.deps, held: context.held! }),
                onDone: {
                  target: "posted",
                  actions: emit(({ context, event }) => ({
                    type: "effect.alertPosted" as const,
                    id: context.held!.id,
                    posted: event.output.posted,
                    ...(event.output.hash ? { hash: event.output.hash } : {}),
                  })),
                },
                onError: {
                  target: "posted",
                  actions: emit(({ context, event }) => ({
                    type: "effect.alertSubmitFailed" as const,
                    id: context.held!.id,
                    error: String(event.error),
                  })),
                },
              },
            },
            posted: {},
          },
        },
      },
    },
  },
});
