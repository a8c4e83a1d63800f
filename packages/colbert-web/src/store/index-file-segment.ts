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
import { residualBytes } from '../scoring/compressed/residual-codec.js';

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

/** What SEGM and CSEG payloads share: documents, their records and per-token arrays (everything but vectors). */
export type SegmentBody = Omit<FileSegment, 'tokens'>;

/**
 * The payload of a segment chunk: a header of u32 words, seqs, lengths, records JSON, the `vectors` arrays (each
 * padded to 4 bytes), then the per-token arrays.
 */
function encodeBody(header: readonly number[], s: SegmentBody, vectors: readonly ArrayBufferView[]): Uint8Array {
  const json = recordsJson(s);
  const words = [...header.slice(0, 4), json.length, ...header.slice(4)];
  const pooled = s.tokenRows !== undefined;
  const size = bodySize(words.length * 4, s.seqs.length, s.lengths.reduce((n, l) => n + l, 0), json.length, vectors.map((v) => v.byteLength), pooled ? s.tokenIds.length : undefined);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  words.forEach((v, i) => view.setUint32(4 * i, v, true));
  let at = words.length * 4;
  const put = (a: ArrayBufferView): void => {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at = pad4(at + a.byteLength);
  };
  put(s.seqs);
  put(s.lengths);
  put(json);
  vectors.forEach(put);
  if (pooled) put(s.tokenCounts!);
  put(s.spans);
  put(s.tokenIds);
  if (pooled) put(s.tokenRows!);
  return out;
}

function recordsJson(s: SegmentBody): Uint8Array {
  return new TextEncoder().encode(JSON.stringify(s.documents.map((d) => [d.id, d.text, d.metadata, d.truncated])));
}

/** The payload of a SEGM chunk. */
export function encodeSegment(s: FileSegment): Uint8Array {
  const { rows, dim, precision } = s.tokens;
  const pooled = s.tokenRows !== undefined;
  const header = [s.seqs.length, rows, dim, PRECISIONS.indexOf(precision), ...(pooled ? [s.tokenIds.length] : [])];
  return encodeBody(header, s, s.tokens.precision === 'int8' ? [s.tokens.values, s.tokens.scales] : [s.tokens.values]);
}

/** Payload bytes of a segment; `tokens` only for pooled segments (per-token arrays, and a count per document). */
function bodySize(headerBytes: number, n: number, rows: number, jsonLength: number, vectorBytes: readonly number[], tokens: number | undefined): number {
  const perToken = tokens === undefined ? 12 * rows : 4 * n + 16 * tokens;
  return headerBytes + 8 * n + pad4(jsonLength) + vectorBytes.reduce((sum, b) => sum + pad4(b), 0) + perToken;
}

/** A decoded segment body and its vector arrays' bytes (copies, 4-byte aligned), checked against each other. */
interface DecodedBody {
  body: SegmentBody;
  rows: number;
  /** The third header word (dim) and the fourth (precision code, or nbits). */
  dim: number;
  kind: number;
  vectors: ArrayBuffer[];
}

/**
 * Reads a segment chunk's payload: header (5 words, 6 when `pooled`), then the arrays, the vector arrays' sizes
 * from `vectorBytes(rows, dim, kind)` (throwing for a header the caller does not accept). Every count is checked
 * against the payload length before anything is allocated; any inconsistency → INDEX_FILE_INVALID.
 */
function decodeBody(p: Uint8Array, pooled: boolean, vectorBytes: (rows: number, dim: number, kind: number) => number[], bad: (why: string) => Error): DecodedBody {
  const headerBytes = pooled ? 24 : 20;
  if (p.length < headerBytes) throw bad('header is cut short');
  const view = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const [n, rows, dim, kind, jsonLength, pooledTokens] = [0, 1, 2, 3, 4, 5].slice(0, headerBytes / 4).map((i) => view.getUint32(4 * i, true)) as [number, number, number, number, number, number | undefined];
  // Sizes in float64 arithmetic: no u32 overflow can wrap a huge claim into a small one.
  const sizes = vectorBytes(rows, dim, kind);
  const size = bodySize(headerBytes, n, rows, jsonLength, sizes, pooledTokens);
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
  const vectors = sizes.map(take);
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
  const body = { seqs, lengths, documents, spans, tokenIds, ...(tokenCounts && tokenRows ? { tokenCounts, tokenRows } : {}) };
  return { body, rows, dim, kind, vectors };
}

/** Reads a SEGM payload for an index of `dim`/`precision`; any inconsistency → INDEX_FILE_INVALID at `offset`. */
export function decodeSegment(p: Uint8Array, expected: { dim: number; precision: StoredPrecision; pooled: boolean }, offset: number): FileSegment {
  const bad = (why: string): Error => invalidFile(`segment ${why}`, offset);
  const { body, rows, dim, vectors } = decodeBody(
    p,
    expected.pooled,
    (rows, dim, code) => {
      const precision = PRECISIONS[code];
      if (precision !== expected.precision || dim !== expected.dim) throw bad(`is ${String(precision)}/${dim}, the file says ${expected.precision}/${expected.dim}`);
      return precision === 'int8' ? [rows * dim, 4 * rows] : [rows * dim * valueBytes(precision)];
    },
    bad,
  );
  const precision = expected.precision;
  const tokens: TokenMatrix =
    precision === 'int8'
      ? { precision, dim, rows, values: new Int8Array(vectors[0]!), scales: new Float32Array(vectors[1]!) }
      : precision === 'f16'
        ? { precision, dim, rows, values: new Uint16Array(vectors[0]!) }
        : { precision, dim, rows, values: new Float32Array(vectors[0]!) };
  return { ...body, tokens };
}

/** A compressed segment as the file carries it (CSEG): codes and packed residuals instead of vectors. */
export interface FileCodedSegment extends SegmentBody {
  readonly codes: Uint32Array;
  readonly residuals: Uint8Array;
}

/** The payload of a CSEG chunk: the SEGM layout with nbits for the precision word and codes + residuals for values. */
export function encodeCodedSegment(s: FileCodedSegment, dim: number, nbits: number): Uint8Array {
  const pooled = s.tokenRows !== undefined;
  return encodeBody([s.seqs.length, s.codes.length, dim, nbits, ...(pooled ? [s.tokenIds.length] : [])], s, [s.codes, s.residuals]);
}

/**
 * Reads a CSEG payload for tables of `dim`/`nbits` and `centroids` fine centroids: the layout as SEGM, then every
 * code below `centroids` (a code past the table is INDEX_FILE_INVALID, never an out-of-bounds read later).
 */
export function decodeCodedSegment(p: Uint8Array, expected: { dim: number; nbits: number; centroids: number; pooled: boolean }, offset: number): FileCodedSegment {
  const bad = (why: string): Error => invalidFile(`compressed segment ${why}`, offset);
  const { body, vectors } = decodeBody(
    p,
    expected.pooled,
    (rows, dim, nbits) => {
      if (dim !== expected.dim || nbits !== expected.nbits) throw bad(`is ${dim}-dim with nbits ${nbits}, its tables say ${expected.dim}/${expected.nbits}`);
      return [4 * rows, rows * residualBytes(dim, nbits)];
    },
    bad,
  );
  const codes = new Uint32Array(vectors[0]!);
  for (let t = 0; t < codes.length; t++) if (codes[t]! >= expected.centroids) throw bad(`token ${t} names centroid ${codes[t]} of ${expected.centroids}`);
  return { ...body, codes, residuals: new Uint8Array(vectors[1]!).subarray(0, codes.length * residualBytes(expected.dim, expected.nbits)) };
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
