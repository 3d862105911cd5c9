/**
 * Where a distributed study lives on NATS. Each study has a stream of its own (work-queue
 * retention) holding its jobs and its results; the study itself is announced in a KV bucket that
 * workers watch.
 *
 *   KV  sims_studies / <id>            the study (scenario, options); status "done" ends it
 *   stream SIMS_<id>
 *     sims.<id>.jobs                   one message per run, pulled by the "workers" consumer
 *     sims.<id>.results.<index>        one result per job, pulled by the "coordinator" consumer
 */
export const STUDIES_BUCKET = "sims_studies";
export const WORKERS_CONSUMER = "workers";
export const COORDINATOR_CONSUMER = "coordinator";

export const streamName = (studyId: string) => `SIMS_${studyId}`;
export const jobsSubject = (studyId: string) => `sims.${studyId}.jobs`;
export const resultsSubject = (studyId: string, index: number) => `sims.${studyId}.results.${index}`;
export const resultsFilter = (studyId: string) => `sims.${studyId}.results.*`;
/** Nats-Msg-Id of a result: the server drops a second result of the same job (redelivery). */
export const resultMsgId = (studyId: string, index: number) => `${studyId}-result-${index}`;
export const jobMsgId = (studyId: string, index: number) => `${studyId}-job-${index}`;
