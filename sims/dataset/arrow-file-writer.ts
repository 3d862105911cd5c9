/**
 * Streams record batches into an Arrow IPC file (the Feather v2 format pandas, polars, DuckDB and
 * pyarrow read) as they are produced, so a large dataset never sits in memory whole.
 */
import { createWriteStream } from "node:fs";
import { finished } from "node:stream/promises";
import { type RecordBatch, RecordBatchFileWriter } from "apache-arrow";
import { ARROW_SCHEMA } from "./arrow-batch.ts";

export type ArrowFileSink = { write: (batch: RecordBatch) => void; close: () => Promise<void> };

export function openArrowFile(fd: number): ArrowFileSink {
  const writer = new RecordBatchFileWriter();
  writer.reset(undefined, ARROW_SCHEMA);
  const file = createWriteStream("", { fd });
  writer.toNodeStream().pipe(file);
  return {
    write: (batch) => {
      writer.write(batch);
    },
    close: async () => {
      writer.finish();
      writer.close();
      await finished(file);
    },
  };
}
