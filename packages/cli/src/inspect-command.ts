import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ColbertError, ErrorCode } from 'colbert-web/node';
import type { FileSegment } from 'colbert-web/node';
import { existingFile } from './flags.js';
import { readIndexFile } from './index-file.js';

/** What `inspect` prints: the file's size and what its vectors cost. */
export interface IndexFileSummary {
  model: string;
  documents: number;
  /** Stored token rows (pooled rows in a pooled index). */
  tokens: number;
  dim: number;
  precision: string;
  poolFactor: number;
  /** Bits per dimension of residual-compressed vectors; null: stored uncompressed. */
  nbits: number | null;
  /** Centroids of a compressed index; null: stored uncompressed. */
  centroids: number | null;
  /** Vector bytes (values, scales, codes, residuals and shared tables) ÷ tokens. */
  bytesPerToken: number;
  /** The file's size. */
  bytes: number;
}

function vectorBytes(tokens: FileSegment['tokens']): number {
  return tokens.values.byteLength + (tokens.precision === 'int8' ? tokens.scales.byteLength : 0);
}

/** Reads and checks a whole index file (a truncated or tampered one is INDEX_FILE_INVALID) and summarises it. */
export function summarizeIndexFile(file: string): IndexFileSummary {
  const { identity, segments, coded, tables } = readIndexFile(file);
  let documents = 0;
  let tokens = 0;
  let vectors = 0;
  for (const s of segments) {
    documents += s.documents.length;
    tokens += s.tokens.rows;
    vectors += vectorBytes(s.tokens);
  }
  for (const c of coded) {
    documents += c.documents.length;
    tokens += c.codes.length;
    vectors += c.codes.byteLength + c.residuals.byteLength;
  }
  if (tables) {
    const { table, codec } = tables;
    vectors += table.coarse.byteLength + table.coarseStart.byteLength + table.centroids.byteLength + codec.cutoffs.byteLength + codec.weights.byteLength;
  }
  return {
    model: identity.identity.name,
    documents,
    tokens,
    dim: identity.identity.dim,
    precision: identity.precision,
    poolFactor: identity.poolFactor,
    nbits: tables ? tables.codec.nbits : null,
    centroids: tables ? tables.table.centroids.length / tables.table.dim : null,
    bytesPerToken: tokens === 0 ? 0 : vectors / tokens,
    bytes: statSync(file).size,
  };
}

/** `colbert-web inspect <file.cwi> [--json]`: what an index file holds and what its vectors cost. */
export async function inspectCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } }, strict: true });
  const [file, extra] = positionals;
  if (!file || extra !== undefined) throw new ColbertError(ErrorCode.InvalidInput, 'usage: colbert-web inspect <file.cwi> [--json]', { subject: 'arguments' });
  const summary = summarizeIndexFile(existingFile('index file', file));
  if (values.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return 0;
  }
  const compression = summary.nbits === null ? 'uncompressed' : `${summary.nbits}-bit residuals over ${summary.centroids} centroids`;
  process.stdout.write(
    [
      `${file}: ${summary.bytes.toLocaleString('en')} bytes`,
      `model        ${summary.model} (dim ${summary.dim})`,
      `documents    ${summary.documents.toLocaleString('en')}`,
      `tokens       ${summary.tokens.toLocaleString('en')}${summary.poolFactor > 1 ? ` (pool factor ${summary.poolFactor})` : ''}`,
      `vectors      ${summary.precision}, ${compression}, ${summary.bytesPerToken.toFixed(1)} bytes/token`,
      '',
    ].join('\n'),
  );
  return 0;
}
