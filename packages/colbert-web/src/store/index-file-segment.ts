/**
 * The SEGM chunk payload (little endian; every array starts 4-byte aligned):
 *   u32 documents | u32 rows | u32 dim | u32 precision (0 f32, 1 f16, 2 int8) | u32 records JSON length
 *   u32 seqs[documents] | u32 lengths[documents] | records JSON (UTF-8: [{id, text, metadata, truncated}]) pad 4
 *   values[rows × dim] pad 4 | f32 scales[rows] (int8 only) | i32 spans[2 × rows] | i32 tokenIds[rows]
 * In a file whose identity has poolFactor > 1 a row is a pooled vector standing for several tokens, so the header
 * has a sixth u32, tokens (T), and the per-token part is
 *   u32 tokenCounts[documents] | i32 spans[2 × T] | i32 tokenIds[T] | i32 tokenRows[T] (each token's row in its document)
 * Every count read is checked against the payload length before anything is allocated.
 */
import type { StoredPrecision, TokenMatrix } from '../scoring/token-matrix.js';
import { invalidFile } from './index-file-format.js';
import { valueBytes } from './segment-record.js';

/** One document's record fields in a file. */
export interface FileDocument {
  readonly id: string;
  readonly text: string | null;
  /** Metadata as JSON text. */
  readonly metadata: string | null;
  readonly truncated: boolean;
}

/**
 * A segment as the file carries it: packed vectors (`lengths` rows per document) and, per token, spans and
 * tokenizer ids. Pooled segments also have per document its token count and per token its row.
 */
export interface FileSegment {
  readonly seqs: Uint32Array;
  readonly lengths: Uint32Array;
  readonly tokens: TokenMatrix;
  readonly documents: readonly FileDocument[];
  readonly spans: Int32Array;
  readonly tokenIds: Int32Array;
  readonly tokenCounts?: Uint32Array;
  readonly tokenRows?: Int32Array;
}

const PRECISIONS: readonly StoredPrecision[] = ['f32', 'f16', 'int8'];
const pad4 = (n: number): number => (n + 3) & ~3;

/** The payload of a SEGM chunk. */
export function encodeSegment(s: FileSegment): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify(s.documents.map((d) => [d.id, d.text, d.metadata, d.truncated])));
  const { rows, dim, precision } = s.tokens;
  const n = s.seqs.length;
  const pooled = s.tokenRows !== undefined;
  const tokens = s.tokenIds.length;
  const header = pooled ? [n, rows, dim, PRECISIONS.indexOf(precision), json.length, tokens] : [n, rows, dim, PRECISIONS.indexOf(precision), json.length];
  const size = segmentSize(header.length * 4, n, rows, dim, precision, json.length, pooled ? tokens : undefined);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  header.forEach((v, i) => view.setUint32(4 * i, v, true));
  let at = header.length * 4;
  const put = (a: ArrayBufferView): void => {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = pad4(at + a.byteLength);
  };
  put(s.seqs);
  put(s.lengths);
  put(json);
  put(s.tokens.values);
  if (s.tokens.precision === 'int8') put(s.tokens.scales);
  if (pooled) put(s.tokenCounts!);
  put(s.spans);
  put(s.tokenIds);
  if (pooled) put(s.tokenRows!);
  return out;
}

/** Payload bytes of a segment; `tokens` only for pooled segments (per-token arrays, and a count per document). */
function segmentSize(headerBytes: number, n: number, rows: number, dim: number, precision: StoredPrecision, jsonLength: number, tokens: number | undefined): number {
  const perToken = tokens === undefined ? 12 * rows : 4 * n + 16 * tokens;
  return headerBytes + 8 * n + pad4(jsonLength) + pad4(rows * dim * valueBytes(precision)) + (precision === 'int8' ? 4 * rows : 0) + perToken;
}

/** Reads a SEGM payload for an index of `dim`/`precision`; any inconsistency → INDEX_FILE_INVALID at `offset`. */
export function decodeSegment(p: Uint8Array, expected: { dim: number; precision: StoredPrecision; pooled: boolean }, offset: number): FileSegment {
  const bad = (why: string): Error => invalidFile(`segment ${why}`, offset);
  const headerBytes = expected.pooled ? 24 : 20;
  if (p.length < headerBytes) throw bad('header is cut short');
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const [n, rows, dim, code, jsonLength, pooledTokens] = [0, 1, 2, 3, 4, 5].slice(0, headerBytes / 4).map((i) => view.getUint32(4 * i, true)) as [number, number, number, number, number, number | undefined];
  const precision = PRECISIONS[code];
  if (precision !== expected.precision || dim !== expected.dim) throw bad(`is ${String(precision)}/${dim}, the file says ${expected.precision}/${expected.dim}`);
  // Sizes in float64 arithmetic: no u32 overflow can wrap a huge claim into a small one.
  const valuesBytes = rows * dim * valueBytes(precision);
  const size = segmentSize(headerBytes, n, rows, dim, precision, jsonLength, pooledTokens);
  if (size !== p.length || n === 0 || n > rows) throw bad(`sizes (documents ${n}, rows ${rows}, json ${jsonLength}) do not add up to its ${p.length} bytes`);
  let at = headerBytes;
  const take = (bytes: number): ArrayBuffer => {
    const b = p.slice(at, at + bytes).buffer;
    at = pad4(at + bytes);
    return b;
  };
  const seqs = new Uint32Array(take(4 * n));
  const lengths = new Uint32Array(take(4 * n));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(p.subarray(at, at + jsonLength)));
  } catch {
    throw bad('records are not valid UTF-8 JSON');
  }
  at = pad4(at + jsonLength);
  const valuesBuffer = take(valuesBytes);
  const tokens: TokenMatrix =
    precision === 'int8'
      ? { precision, dim, rows, values: new Int8Array(valuesBuffer), scales: new Float32Array(take(4 * rows)) }
      : precision === 'f16'
        ? { precision, dim, rows, values: new Uint16Array(valuesBuffer) }
        : { precision, dim, rows, values: new Float32Array(valuesBuffer) };
  const tokenCount = pooledTokens ?? rows;
  const tokenCounts = pooledTokens === undefined ? undefined : new Uint32Array(take(4 * n));
  const spans = new Int32Array(take(8 * tokenCount));
  const tokenIds = new Int32Array(take(4 * tokenCount));
  const tokenRows = pooledTokens === undefined ? undefined : new Int32Array(take(4 * tokenCount));
  if (tokenCounts && tokenRows) checkPooledTokens(tokenCounts, tokenRows, lengths, bad);
  let total = 0;
  for (let i = 0; i < n; i++) {
    if (lengths[i]! < 1) throw bad(`document ${i} has no tokens`);
    if (i > 0 && seqs[i]! <= seqs[i - 1]!) throw bad('sequence numbers are not increasing');
    total += lengths[i]!;
  }
  if (total !== rows) throw bad(`lengths sum to ${total}, not its ${rows} rows`);
  if (!Array.isArray(json) || json.length !== n) throw bad('records do not match its document count');
  const documents = json.map((r: unknown, i): FileDocument => {
    const [id, text, metadata, truncated] = Array.isArray(r) ? (r as unknown[]) : [];
    const ok = typeof id === 'string' && id !== '' && (text === null || typeof text === 'string') && (metadata === null || typeof metadata === 'string') && typeof truncated === 'boolean';
    if (!ok || (metadata !== null && !isJsonObject(metadata as string))) throw bad(`record ${i} is malformed`);
    return { id, text, metadata, truncated } as FileDocument;
  });
  return { seqs, lengths, tokens, documents, spans, tokenIds, ...(tokenCounts && tokenRows ? { tokenCounts, tokenRows } : {}) };
}

/** Each document's tokens sum to the segment's, and each token names a row of its own document. */
function checkPooledTokens(tokenCounts: Uint32Array, tokenRows: Int32Array, lengths: Uint32Array, bad: (why: string) => Error): void {
  let at = 0;
  tokenCounts.forEach((count, i) => {
    for (let t = at; t < at + count; t++) if (!(tokenRows[t]! >= 0 && tokenRows[t]! < lengths[i]!)) throw bad(`token ${t} names row ${tokenRows[t]} outside its document`);
    at += count;
  });
  if (at !== tokenRows.length) throw bad(`token counts sum to ${at}, not its ${tokenRows.length} tokens`);
}

function isJsonObject(text: string): boolean {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}
