import { BaseError } from "../../core/errors.ts";

/** Results stopped arriving before the study was complete. */
export class StudyStalledError extends BaseError {
  override name = "StudyStalledError";
  override readonly code = "StudyStalled";

  constructor(p: { studyId: string; received: number; total: number; idleMs: number; servers: string }) {
    super(
      `Study ${p.studyId}: ${p.received} of ${p.total} results, then none for ${Math.round(p.idleMs / 1000)} s.`,
      {
        metaMessages: [
          `Are workers running? Start some with: npm run sim:worker -- --nats ${p.servers}`,
          "Jobs stay queued in the study's stream until the study ends, so workers may join late.",
        ],
      },
    );
  }
}

/** A worker could not run a job (the engine threw); the same job would fail again anywhere. */
export class JobFailedError extends BaseError {
  override name = "JobFailedError";
  override readonly code = "JobFailed";

  constructor(p: { studyId: string; index: number; worker: string; error: string }) {
    super(`Study ${p.studyId}: job ${p.index} failed on worker ${p.worker}.`, { details: p.error });
  }
}

/** The study was cancelled through its AbortSignal. */
export class StudyAbortedError extends BaseError {
  override name = "StudyAbortedError";
  override readonly code = "StudyAborted";

  constructor(p: { studyId: string; received: number; total: number }) {
    super(`Study ${p.studyId} was aborted after ${p.received} of ${p.total} results.`);
  }
}
