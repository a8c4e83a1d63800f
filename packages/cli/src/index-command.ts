import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { assertSameModel, ColbertError, DEFAULT_COMPRESS_AT, documentsToFileSegment, ErrorCode, IndexFileWriter, modelFiles, modelIdentity, prepareDocuments, scanIndexFile } from 'colbert-web/node';
import { compressIndexFileInPlace, nbitsFlag } from './compress-command-file.js';
import type { LongDocumentMode, PreparedDocument, ScanResult, StoredPrecision } from 'colbert-web/node';
import type { CorpusDocument, CorpusPosition } from './corpus.js';
import { readCorpus } from './corpus.js';
import { existingFile, number } from './flags.js';
import { ENCODER_FLAGS, loadCommandEncoder } from './load-encoder.js';
import { progressLine } from './progress.js';
import { rateLine } from './rate.js';

const ENCODE_CHUNK = 256;
const SEGMENT_BYTES = 4 * 1024 * 1024;

/**
 * `colbert-web index <corpus.jsonl[.gz]> --model <folder|url> --output site.cwi [--precision int8|f16|f32]
 * [--long-documents truncate|split] [--pool-factor N] [--nbits 2|4 [--compress-at ROWS]]`:
 * encodes a BEIR corpus into a portable index file, appending one checked segment at a time, so Ctrl-C (or a
 * crash) leaves a file the next run resumes from. With `--nbits` the file is compressed once complete if it holds
 * at least `--compress-at` rows (default as in the browser), exactly as a browser index of the same rows.
 */
export async function indexCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...ENCODER_FLAGS,
      output: { type: 'string' },
      precision: { type: 'string' },
      'long-documents': { type: 'string', default: 'truncate' },
      'pool-factor': { type: 'string' },
      nbits: { type: 'string' },
      'compress-at': { type: 'string' },
    },
    strict: true,
  });
  const corpus = positionals[0];
  if (!corpus) throw new ColbertError(ErrorCode.InvalidInput, 'index needs a corpus file: colbert-web index corpus.jsonl.gz --model … --output site.cwi', { subject: 'corpus' });
  for (const name of ['model', 'output'] as const) {
    if (!values[name]) throw new ColbertError(ErrorCode.InvalidInput, `index needs --${name}.`, { subject: `--${name}` });
  }
  const longDocuments = values['long-documents'] as LongDocumentMode;
  if (!['truncate', 'split'].includes(longDocuments)) throw new ColbertError(ErrorCode.InvalidInput, '--long-documents must be truncate or split.', { subject: '--long-documents' });
  const requested = values.precision as StoredPrecision | undefined;
  if (requested !== undefined && !['int8', 'f16', 'f32'].includes(requested)) throw new ColbertError(ErrorCode.InvalidInput, '--precision must be int8, f16 or f32.', { subject: '--precision' });
  existingFile('corpus', corpus);
  const requestedPool = values['pool-factor'] === undefined ? undefined : number('--pool-factor', values['pool-factor'], true);
  const requestedNbits = nbitsFlag(values.nbits);
  const compressAt = values['compress-at'] === undefined ? DEFAULT_COMPRESS_AT : number('--compress-at', values['compress-at'], true);
  const output = values.output!;
  const started = performance.now();
  const encoder = await loadCommandEncoder(values.model!, values);
  const identity = await modelIdentity(modelFiles(values.model!), encoder.checkpoint, values.model!);
  const dim = identity.dim;

  let scan: ScanResult | undefined;
  if (existsSync(output)) {
    scan = scanIndexFile(new Uint8Array(readFileSync(output)));
    if (scan.identity) {
      assertSameModel(scan.identity.identity, identity, output);
      if (requested && requested !== scan.identity.precision) {
        throw new ColbertError(ErrorCode.InvalidInput, `${output} is a ${scan.identity.precision} index; rerun with --precision ${scan.identity.precision} or delete it.`, { subject: '--precision' });
      }
      if (requestedPool !== undefined && requestedPool !== scan.identity.poolFactor) {
        throw new ColbertError(ErrorCode.InvalidInput, `${output} pools with factor ${scan.identity.poolFactor}; rerun with --pool-factor ${scan.identity.poolFactor} or delete it.`, { subject: '--pool-factor' });
      }
      if (requestedNbits !== scan.identity.nbits) {
        const was = scan.identity.nbits ? `--nbits ${scan.identity.nbits}` : 'without --nbits';
        throw new ColbertError(ErrorCode.InvalidInput, `${output} was started ${was}; rerun the same way or delete it.`, { subject: '--nbits' });
      }
    }
    if (scan.complete) {
      await encoder.close();
      // A crash while compressing leaves the complete file of vectors: compress it now.
      const { centroids } = await compressIndexFileInPlace(output, compressAt);
      process.stderr.write(`${output} is already complete (${scan.totals.documents} documents${centroids ? `; compressed now, ${centroids} centroids` : ''}). Delete it to rebuild.\n`);
      return 0;
    }
  }
  const resuming = scan?.identity !== undefined;
  const precision: StoredPrecision = scan?.identity?.precision ?? requested ?? 'int8';
  const poolFactor = scan?.identity?.poolFactor ?? requestedPool ?? 1;
  const writer = new IndexFileWriter(resuming ? { ...scan!.totals, poolFactor } : undefined);
  const fd = openSync(output, resuming ? 'r+' : 'w');
  let position = resuming ? scan!.validLength : 0;
  /** Writes whole chunks and flushes them: after a crash the file is a valid prefix plus at most one torn chunk. */
  const write = (bytes: Uint8Array): void => {
    let at = 0;
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at, position + at);
    fsyncSync(fd);
    position += bytes.length;
  };
  if (resuming) {
    // Drop a torn tail; the chunks before it are whole and checked.
    ftruncateSync(fd, position);
    process.stderr.write(`resuming ${output}: ${scan!.totals.documents} documents already written\n`);
  } else write(writer.start(identity, precision, poolFactor, requestedNbits));

  let stopping = false;
  const onSigint = (): void => {
    if (stopping) process.exit(130); // second Ctrl-C: the file is still a resumable prefix
    stopping = true;
    process.stderr.write('\ninterrupted: finishing the current segment…\n');
  };
  process.on('SIGINT', onSigint);

  const seen = new Set<string>(scan?.ids ?? []);
  let skip = scan?.totals.documents ?? 0;
  let nextSeq = (scan?.lastSeq ?? -1) + 1;
  let pending: PreparedDocument[] = [];
  let pendingBytes = 0;
  let docs = 0;
  let tokens = 0;
  const where: { current: CorpusPosition } = { current: { bytesRead: 0, bytesTotal: 1 } };
  const flushSegment = (): void => {
    if (pending.length === 0) return;
    write(writer.segment(documentsToFileSegment(pending, nextSeq, dim, precision)));
    nextSeq += pending.length;
    pending = [];
    pendingBytes = 0;
  };
  let chunk: CorpusDocument[] = [];
  const encodeChunk = async (): Promise<void> => {
    const encoded = await encoder.encode(chunk.map((d) => ({ text: d.text, kind: 'document' as const })), { longDocuments, poolFactor });
    const prepared = prepareDocuments(chunk.map((d, i) => ({ id: d.id, text: d.text, metadata: d.metadata, encoded: encoded[i]! })), dim, poolFactor);
    for (const p of prepared) {
      pending.push(p);
      pendingBytes += p.vectors.length * (precision === 'f32' ? 4 : precision === 'f16' ? 2 : 1) + (precision === 'int8' ? 4 * (p.vectors.length / dim) : 0);
      tokens += p.vectors.length / dim;
      if (pendingBytes >= SEGMENT_BYTES) flushSegment();
    }
    docs += chunk.length;
    chunk = [];
    progressLine(rateLine(docs, tokens, started, where.current.bytesRead / where.current.bytesTotal), started);
  };
  try {
    const written = scan?.ids ?? [];
    let index = 0;
    for await (const doc of readCorpus(corpus, where)) {
      if (skip > 0) {
        if (written[index] !== doc.id) {
          throw new ColbertError(ErrorCode.InvalidInput, `${output} was started from another corpus: document ${index} is "${written[index]}" there, "${doc.id}" in ${corpus}:${doc.line}. Delete ${output} to rebuild.`, { subject: corpus });
        }
        index++;
        skip--;
        continue;
      }
      if (seen.has(doc.id)) throw new ColbertError(ErrorCode.InvalidInput, `${corpus}:${doc.line}: _id "${doc.id}" appears twice; ids must be unique.`, { subject: `${corpus}:${doc.line}` });
      seen.add(doc.id);
      chunk.push(doc);
      if (chunk.length === ENCODE_CHUNK) await encodeChunk();
      if (stopping) break;
    }
    if (!stopping && chunk.length > 0) await encodeChunk();
    if (stopping) chunk = [];
    flushSegment();
    if (!stopping) write(writer.end());
  } finally {
    closeSync(fd);
    process.off('SIGINT', onSigint);
    await encoder.close();
  }
  const total = writer.totals;
  if (stopping) {
    process.stderr.write(`\nstopped: ${total.documents} documents in ${output}; run the same command again to resume.\n`);
    return 130;
  }
  const { centroids } = await compressIndexFileInPlace(output, compressAt);
  const stored = centroids > 0 ? `nbits ${requestedNbits}, ${centroids} centroids` : requestedNbits ? `${precision} (under --compress-at ${compressAt}: not compressed)` : precision;
  process.stderr.write(`\ndone: ${total.documents} documents, ${total.tokens} ${poolFactor > 1 ? `rows (pool factor ${poolFactor})` : 'tokens'}, ${stored}, in ${((performance.now() - started) / 1000).toFixed(1)} s → ${output}\n`);
  return 0;
}

