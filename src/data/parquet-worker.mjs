// The Parquet encoder of the data clients, on its own thread (started by parquet-write.ts): the
// main thread parses and casts the input and hands over each record batch as Arrow IPC bytes;
// this thread runs arrow-rs (parquet-wasm) on them, so encoding and compression overlap the
// parsing instead of following it. Plain JavaScript, loaded without the TypeScript loader, so
// the thread is ready while the main thread is still starting.
//
// Messages in:  { type: 'open', id, compression, rowGroupRows, leafIds: [path, fieldId][], plainColumns: [name] }
//               { type: 'push', id, ipc: ArrayBuffer }   (an Arrow IPC stream of one batch)
//               { type: 'finish', id }  |  { type: 'abort', id }
// Messages out: { type: 'taken', id }      (a pushed batch went into the encoder)
//               { type: 'done', id, bytes: ArrayBuffer, columnSizes: [fieldId, bigint][], rowGroups }
//               { type: 'failed', id, message, fatal? }  (fatal: the thread ends; use a new one)
import { parentPort } from 'node:worker_threads';
import * as parquet from 'parquet-wasm';
import { parquetMetadata } from 'hyparquet';

const CODECS = {
  zstd: parquet.Compression.ZSTD,
  snappy: parquet.Compression.SNAPPY,
  gzip: parquet.Compression.GZIP,
  uncompressed: parquet.Compression.UNCOMPRESSED,
};

/** Open files by id: batches waiting for the encoder, and how the encoder is fed. */
const files = new Map();

parentPort.on('message', (msg) => {
  try {
    if (msg.type === 'open') open(msg);
    else if (msg.type === 'push') push(msg);
    else if (msg.type === 'finish') finish(msg.id);
    else if (msg.type === 'abort') abort(msg.id);
  } catch (err) {
    fail(msg.id, err);
  }
});

function open({ id, compression, rowGroupRows, leafIds, plainColumns }) {
  let builder = new parquet.WriterPropertiesBuilder()
    .setCompression(CODECS[compression])
    .setMaxRowGroupSize(rowGroupRows)
    .setStatisticsEnabled(parquet.EnabledStatistics.Chunk)
    .setCreatedBy('lakecat');
  for (const column of plainColumns) builder = builder.setColumnDictionaryEnabled(column, false);
  const properties = builder.build();
  const file = { waiting: [], closed: false, wake: undefined, failed: false, controller: undefined };
  // The encoder pulls one batch at a time; a batch is taken from `waiting` only when it asks.
  const input = new ReadableStream({
    start: (controller) => void (file.controller = controller),
    pull: (controller) =>
      new Promise((resolve) => {
        const feed = () => {
          if (file.waiting.length > 0) {
            const table = parquet.Table.fromIPCStream(new Uint8Array(file.waiting.shift()));
            for (const batch of table.recordBatches()) controller.enqueue(batch);
            parentPort.postMessage({ type: 'taken', id });
            resolve();
          } else if (file.closed) {
            controller.close();
            resolve();
          } else {
            file.wake = () => {
              file.wake = undefined;
              feed();
            };
          }
        };
        feed();
      }),
  });
  files.set(id, file);
  (async () => {
    const stream = await parquet.transformParquetStream(input, properties);
    const parts = [];
    for await (const part of stream) parts.push(part);
    const bytes = concat(parts);
    const described = describe(bytes, new Map(leafIds));
    files.delete(id);
    parentPort.postMessage({ type: 'done', id, bytes: bytes.buffer, ...described }, [bytes.buffer]);
  })().catch((err) => fail(id, err));
}

function push({ id, ipc }) {
  const file = files.get(id);
  if (!file || file.failed) return;
  file.waiting.push(ipc);
  file.wake?.();
}

function finish(id) {
  const file = files.get(id);
  if (!file || file.failed) return;
  file.closed = true;
  file.wake?.();
}

function abort(id) {
  const file = files.get(id);
  if (!file) return;
  file.failed = true;
  file.waiting.length = 0;
  files.delete(id);
  try {
    file.controller.error(new Error('aborted'));
  } catch {
    // already closed
  }
}

function fail(id, err) {
  const message = err instanceof Error ? err.message : String(err);
  if (err instanceof WebAssembly.RuntimeError) {
    // A panic inside arrow-rs leaves the module unusable: every open file fails, and the thread
    // ends (the main thread starts a fresh one for the next file).
    for (const other of files.keys()) if (other !== id) parentPort.postMessage({ type: 'failed', id: other, message, fatal: true });
    parentPort.postMessage({ type: 'failed', id, message, fatal: true });
    process.exit(1);
  }
  const file = files.get(id);
  if (file) file.failed = true;
  files.delete(id);
  parentPort.postMessage({ type: 'failed', id, message });
}

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Compressed bytes per leaf field id over all row groups (manifest field 108), from the footer
 * (read by hyparquet in JavaScript: the file is not copied into the encoder's memory again).
 */
function describe(bytes, leafIds) {
  const meta = parquetMetadata(bytes.buffer);
  const columnSizes = new Map();
  for (const group of meta.row_groups) {
    for (const column of group.columns) {
      const fieldId = leafIds.get(column.meta_data.path_in_schema.join('.'));
      if (fieldId !== undefined) columnSizes.set(fieldId, (columnSizes.get(fieldId) ?? 0n) + BigInt(column.meta_data.total_compressed_size));
    }
  }
  return { columnSizes: [...columnSizes], rowGroups: meta.row_groups.length };
}
