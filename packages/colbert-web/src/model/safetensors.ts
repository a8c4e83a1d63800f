import { ColbertError, ErrorCode } from '../errors.js';
import { float16BitsToFloat32, toBfloat16Bits, toFloat16Bits } from './float16.js';

/** Dtypes we read. F16/BF16 are upcast to f32 on load. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16';

export interface Tensor {
  readonly shape: readonly number[];
  /** Row-major float32 data (upcast from the stored dtype). */
  readonly data: Float32Array;
  readonly storedDtype: SafetensorsDtype;
}

export type TensorMap = ReadonlyMap<string, Tensor>;

const BYTES: Record<SafetensorsDtype, number> = { F32: 4, F16: 2, BF16: 2 };
const MAX_HEADER = 100 * 1024 * 1024;

/**
 * Parses a safetensors file. Every offset is bounds-checked; a malformed file is a
 * `ColbertError(ModelFileCorrupt)` naming `file`.
 */
export function parseSafetensors(bytes: Uint8Array, file: string): Map<string, Tensor> {
  const corrupt = (why: string): ColbertError =>
    new ColbertError(ErrorCode.ModelFileCorrupt, `${file} is not a valid safetensors file: ${why}.`, { subject: file });
  if (bytes.byteLength < 8) throw corrupt('it is shorter than the 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(Math.min(MAX_HEADER, bytes.byteLength - 8))) {
    throw corrupt(`the header length ${headerLength} exceeds the file size ${bytes.byteLength}`);
  }
  const n = Number(headerLength);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (cause) {
    throw corrupt(`the JSON header does not parse (${(cause as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw corrupt('the header is not an object');
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16') {
      throw new ColbertError(ErrorCode.ModelUnsupported, `${file}: tensor ${name} has dtype ${String(dtype)}; only F32, F16 and BF16 are supported.`, { subject: file });
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw corrupt(`tensor ${name} has an invalid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw corrupt(`tensor ${name} has invalid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength) throw corrupt(`tensor ${name} data [${begin}, ${end}) lies outside the ${dataLength}-byte data section`);
    if (end - begin !== count * BYTES[dtype]) throw corrupt(`tensor ${name} has ${end - begin} bytes but shape [${shape.join(', ')}] needs ${count * BYTES[dtype]}`);
    tensors.set(name, { shape: shape as number[], storedDtype: dtype, data: decode(bytes, dataStart + begin, count, dtype) });
  }
  return tensors;
}

function decode(bytes: Uint8Array, offset: number, count: number, dtype: SafetensorsDtype): Float32Array {
  const at = bytes.byteOffset + offset;
  if (dtype === 'F32') {
    // Aligned data is viewed in place; misaligned data is copied.
    if (at % 4 === 0) return new Float32Array(bytes.buffer, at, count);
    return new Float32Array(bytes.slice(offset, offset + count * 4).buffer);
  }
  const src = new DataView(bytes.buffer, at, count * 2);
  const out = new Float32Array(count);
  if (dtype === 'BF16') {
    const u32 = new Uint32Array(out.buffer);
    for (let i = 0; i < count; i++) u32[i] = src.getUint16(2 * i, true) << 16;
  } else {
    for (let i = 0; i < count; i++) out[i] = float16BitsToFloat32(src.getUint16(2 * i, true));
  }
  return out;
}


/** A tensor to write; `dtype` (default F32) is how it is stored, converted from float32 with round-to-nearest-even. */
export interface TensorToWrite {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: Float32Array;
  readonly dtype?: SafetensorsDtype;
}

/** Serialises tensors in the layout PyTorch's safetensors writes (header padded to 8 bytes with spaces). */
export function writeSafetensors(tensors: ReadonlyArray<TensorToWrite>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const payloads: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) throw new Error(`tensor ${t.name}: shape does not match data length`);
    const dtype = t.dtype ?? 'F32';
    const stored = dtype === 'F32' ? t.data : dtype === 'F16' ? toFloat16Bits(t.data) : toBfloat16Bits(t.data);
    const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    payloads.push(bytes);
    offset += bytes.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20);
  headerBytes.set(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const bytes of payloads) {
    out.set(bytes, at);
    at += bytes.byteLength;
  }
  return out;
}
