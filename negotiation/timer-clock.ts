/**
 * The clock an agent's timers and timestamps run on. xstate's SimulatedClock fits, so the
 * simulator can drive a real agent step by step; deployed agents use the wall clock (default).
 * One type for every unit the agent owns, so no unit keeps a hidden Date.now or setTimeout.
 */
export type TimerClock = {
  // biome-ignore lint/suspicious/noExplicitAny: xstate's Clock signature
  setTimeout(fn: (...args: any[]) => void, timeout: number): any;
  // biome-ignore lint/suspicious/noExplicitAny: xstate's Clock signature
  clearTimeout(id: any): void;
  /** Unix milliseconds. */
  now(): number;
};

/** The wall clock: what a deployed agent runs on. */
export const realClock: TimerClock = {
  setTimeout: (fn, timeout) => setTimeout(fn, timeout),
  clearTimeout: (id) => clearTimeout(id),
  now: () => Date.now(),
};

/** xstate's `createActor` option for a clock: absent when none was passed, so actors keep
 *  xstate's own default scheduler exactly as before. */
export const actorClock = (clock: TimerClock | undefined): { clock?: TimerClock } => (clock ? { clock } : {});

/** Waits `ms` on the clock (a simulated clock resolves it when advanced past it). */
export const sleepOn = (clock: TimerClock, ms: number): Promise<void> =>
  new Promise((resolve) => {
    clock.setTimeout(resolve, ms);
  });
