/**
 * The portable index file (.cwi): a 16-byte header, then self-checking chunks, each
 *   u32 type | u32 payload length | payload | u32 CRC-32 of (type, length, payload)   (little endian)
 * in this order: IDEN (model identity + precision, JSON), SEGM* (one segment each, see index-file-segment.ts),
 * END (totals, JSON). Version 2 (an index with `nbits`) adds, after IDEN, an optional TABL (the compression tables,
 * index-file-tables.ts) and CSEG* (compressed segments, before every SEGM: coded documents precede the rest);
 * files without `nbits` are still written as version 1, byte for byte as before. A build appends chunks, so an interrupted build is a valid prefix plus at most one torn
 * chunk: resuming truncates the tear and appends again; readers require END, so a cut file is never imported.
 * Runtime-agnostic (no DOM, no Node APIs): the CLI and the browser share it.
 */
import { ColbertError, ErrorCode } from '../errors.js';
import { crc32 } from './crc32.js';

/** PNG-style magic: a high byte, a name, and CR LF / ^Z / LF to catch text-mode mangling. */
export const MAGIC = new Uint8Array([0x89, 0x43, 0x57, 0x49, 0x0d, 0x0a, 0x1a, 0x0a]);
/** The newest version this SDK writes and reads; it reads every version in `FILE_VERSIONS`. */
export const FILE_VERSION = 2;
export const FILE_VERSIONS: readonly number[] = [1, 2];
export const HEADER_BYTES = 16;
export const CHUNK_OVERHEAD = 12;
/** No chunk may claim more than this: a flipped length bit must not make a reader allocate gigabytes. */
export const MAX_CHUNK_BYTES = 512 * 1024 * 1024;

const fourcc = (s: string): number => s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
export const ChunkType = { identity: fourcc('IDEN'), segment: fourcc('SEGM'), tables: fourcc('TABL'), codedSegment: fourcc('CSEG'), end: fourcc('END ') } as const;

/** A typed INDEX_FILE_INVALID error saying what is wrong and where. */
export function invalidFile(why: string, offset?: number): ColbertError {
  const at = offset === undefined ? '' : ` (at byte ${offset})`;
  return new ColbertError(ErrorCode.IndexFileInvalid, `Not a valid colbert-web index file: ${why}${at}. Nothing was imported; rebuild or re-download the file.`, {
    subject: offset === undefined ? 'index file' : `index file @${offset}`,
  });
}

/** The 16-byte header: magic, version, CRC of the first 12 bytes. */
export function fileHeader(version = 1): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES);
  out.set(MAGIC);
  const view = new DataView(out.buffer);
  view.setUint32(8, version, true);
  view.setUint32(12, crc32(out.subarray(0, 12)), true);
  return out;
}

/** Checks a header and returns its version; wrong magic, version or CRC → INDEX_FILE_INVALID. */
export function checkHeader(bytes: Uint8Array): number {
  if (bytes.length < HEADER_BYTES) throw invalidFile(`the file is ${bytes.length} bytes, shorter than its header`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw invalidFile('wrong magic bytes (not a .cwi file)', 0);
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_BYTES);
  if (view.getUint32(12, true) !== crc32(bytes.subarray(0, 12))) throw invalidFile('the header fails its checksum', 0);
  const version = view.getUint32(8, true);
  if (!FILE_VERSIONS.includes(version)) throw invalidFile(`file version ${version}, this SDK reads versions ${FILE_VERSIONS.join(' and ')}: use a matching colbert-web release`, 8);
  return version;
}

/** Frames a payload as a chunk. */
export function frameChunk(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(payload.length + CHUNK_OVERHEAD);
  const view = new DataView(out.buffer);
  view.setUint32(0, type, true);
  view.setUint32(4, payload.length, true);
  out.set(payload, 8);
  view.setUint32(8 + payload.length, crc32(out.subarray(0, 8 + payload.length)), true);
  return out;
}

/** The result of reading one chunk at `offset`: complete, or not yet (needs `needed` bytes in all). */
export type ChunkRead = { kind: 'chunk'; type: number; payload: Uint8Array; next: number } | { kind: 'short'; needed: number };

/** Reads and checks one chunk; absurd lengths and bad CRCs are INDEX_FILE_INVALID. */
export function readChunk(bytes: Uint8Array, offset: number, fileOffset = offset): ChunkRead {
  if (bytes.length - offset < 8) return { kind: 'short', needed: offset + 8 };
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const type = view.getUint32(0, true);
  const length = view.getUint32(4, true);
  if (length > MAX_CHUNK_BYTES) throw invalidFile(`a chunk claims ${length} bytes, over the ${MAX_CHUNK_BYTES}-byte limit`, fileOffset);
  const end = offset + 8 + length + 4;
  if (bytes.length < end) return { kind: 'short', needed: end };
  const crc = new DataView(bytes.buffer, bytes.byteOffset + offset + 8 + length, 4).getUint32(0, true);
  if (crc !== crc32(bytes.subarray(offset, offset + 8 + length))) throw invalidFile('a chunk fails its checksum (damaged or tampered)', fileOffset);
  return { kind: 'chunk', type, payload: bytes.subarray(offset + 8, offset + 8 + length), next: end };
}
