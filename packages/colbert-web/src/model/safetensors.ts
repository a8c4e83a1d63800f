import { ColbertError, ErrorCode } from '../errors.js';
import { float16BitsToFloat32, toBfloat16Bits, toFloat16Bits } from './float16.js';
import type { Int8Rows } from './int8-rows.js';
import { dequantizeInt8Rows, quantizeInt8Rows } from './int8-rows.js';
import type { Q4Matrix } from './q4-blocks.js';
import { Q4_BLOCK, canQuantizeQ4, dequantizeQ4, q4BlocksPerRow, q4ZeroPointBytes, quantizeQ4 } from './q4-blocks.js';

/**
 * Dtypes we read. F16/BF16 are upcast to f32 on load. I8 is a 2-D tensor quantised per row (weight-only, symmetric:
 * value = int8 × scale[row]) with its scales in the F32 tensor `<name>.scale` of shape [rows], as
 * `writeSafetensors` writes it (`colbert-web optimize-model --weights int8`); it is kept as int8 rows for the graph
 * (MatMulInteger on CPU backends, `int8-rows.ts`) and dequantised to f32 only where float32 is read.
 * Q4 is a 2-D [N, K] tensor in 4-bit blocks of 32 along each row (`q4-blocks.ts`, MatMulNBits' layout), stored as
 * three tensors: `<name>` U8 [N, K/32, 16] (the codes), `<name>.q4_scales` F16 [N, K/32] and `<name>.q4_zero_points`
 * U8 [N, ceil(K/64)] (`optimize-model --weights q4`); it is kept as blocks for the graph (MatMulNBits) and
 * dequantised to f32 only where float32 is read.
 */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'I8' | 'Q4';

export interface Tensor {
  readonly shape: readonly number[];
  /** Row-major float32 data (upcast from the stored dtype; for I8 and Q4, dequantised on first read). */
  readonly data: Float32Array;
  readonly storedDtype: SafetensorsDtype;
  /** Q4 tensors: the blocks as stored, for MatMulNBits. */
  readonly q4?: Q4Matrix;
  /** I8 tensors: the int8 rows and their scales as stored, for MatMulInteger. */
  readonly int8?: Int8Rows;
}

export type TensorMap = ReadonlyMap<string, Tensor>;

type StoredDtype = Exclude<SafetensorsDtype, 'Q4'> | 'U8';
const BYTES: Record<StoredDtype, number> = { F32: 4, F16: 2, BF16: 2, I8: 1, U8: 1 };
const MAX_HEADER = 100 * 1024 * 1024;
/** The suffix of an I8 tensor's per-row scales. */
const SCALE = '.scale';
/** The suffixes of a Q4 tensor's block scales and zero points. */
const Q4_SCALES = '.q4_scales';
const Q4_ZERO_POINTS = '.q4_zero_points';

/**
 * Parses a safetensors file. Every offset is bounds-checked; a malformed file is a
 * `ColbertError(ModelFileCorrupt)` naming `file`.
 */
export function parseSafetensors(bytes: Uint8Array, file: string): Map<string, Tensor> {
  const corrupt = (why: string): ColbertError =>
    new ColbertError(ErrorCode.ModelFileCorrupt, `${file} is not a valid safetensors file: ${why}.`, { subject: file });
  const unsupported = (why: string): ColbertError => new ColbertError(ErrorCode.ModelUnsupported, `${file}: ${why}`, { subject: file });
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
  /** A header entry, checked: its dtype, shape and where its data starts. */
  const locate = (name: string): { dtype: StoredDtype; shape: number[]; count: number; at: number } => {
    const { dtype, shape, data_offsets: offsets } = (header[name] ?? {}) as Record<string, unknown>;
    if (dtype !== 'F32' && dtype !== 'F16' && dtype !== 'BF16' && dtype !== 'I8' && !(dtype === 'U8' && (name + Q4_SCALES) in header) && !(dtype === 'U8' && name.endsWith(Q4_ZERO_POINTS))) {
      throw unsupported(`tensor ${name} has dtype ${String(dtype)}; only F32, F16, BF16, per-row I8 and 4-bit blocks (U8 with ${name}${Q4_SCALES}) are supported.`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw corrupt(`tensor ${name} has an invalid shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      throw corrupt(`tensor ${name} has invalid data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end > dataLength) throw corrupt(`tensor ${name} data [${begin}, ${end}) lies outside the ${dataLength}-byte data section`);
    if (end - begin !== count * BYTES[dtype]) throw corrupt(`tensor ${name} has ${end - begin} bytes but shape [${shape.join(', ')}] needs ${count * BYTES[dtype]}`);
    return { dtype, shape: shape as number[], count, at: dataStart + begin };
  };
  const tensors = new Map<string, Tensor>();
  for (const name of Object.keys(header)) {
    if (name === '__metadata__') continue;
    // An I8 tensor's scales are read with it.
    if (name.endsWith(SCALE) && (header[name.slice(0, -SCALE.length)] as { dtype?: unknown } | undefined)?.dtype === 'I8') continue;
    // A Q4 tensor's scales and zero points too.
    if ([Q4_SCALES, Q4_ZERO_POINTS].some((suffix) => name.endsWith(suffix) && (name.slice(0, -suffix.length) + Q4_SCALES) in header)) continue;
    const { dtype, shape, count, at } = locate(name);
    if (dtype === 'U8') {
      tensors.set(name, readQ4(name, shape, bytes.slice(at, at + count)));
      continue;
    }
    if (dtype !== 'I8') {
      tensors.set(name, { shape, storedDtype: dtype, data: decode(bytes, at, count, dtype) });
      continue;
    }
    if (shape.length !== 2 || !((name + SCALE) in header)) throw unsupported(`tensor ${name} is I8, which is read only as a 2-D tensor with per-row F32 scales in ${name}${SCALE}.`);
    const scale = locate(name + SCALE);
    if (scale.dtype !== 'F32' || scale.count !== shape[0]) throw corrupt(`${name}${SCALE} must be F32 of shape [${shape[0]}]`);
    const int8: Int8Rows = { rows: shape[0]!, cols: shape[1]!, values: new Int8Array(bytes.slice(at, at + count).buffer), scales: decode(bytes, scale.at, scale.count, 'F32').slice() };
    let data: Float32Array | undefined;
    tensors.set(name, {
      shape,
      storedDtype: 'I8',
      int8,
      get data(): Float32Array {
        return (data ??= dequantizeInt8Rows(int8));
      },
    });
  }
  return tensors;

  /** A Q4 tensor from its codes and its companions, checked against each other. */
  function readQ4(name: string, shape: readonly number[], packed: Uint8Array): Tensor {
    const [rows, blocks, blob] = shape;
    if (shape.length !== 3 || blob !== Q4_BLOCK / 2) throw corrupt(`4-bit tensor ${name} must be U8 of shape [N, K/${Q4_BLOCK}, ${Q4_BLOCK / 2}]`);
    const cols = blocks! * Q4_BLOCK;
    const scales = locate(name + Q4_SCALES);
    if (scales.dtype !== 'F16' || scales.shape.join() !== [rows, blocks].join()) throw corrupt(`${name}${Q4_SCALES} must be F16 of shape [${rows}, ${blocks}]`);
    const zeros = locate(name + Q4_ZERO_POINTS);
    if (zeros.dtype !== 'U8' || zeros.shape.join() !== [rows, q4ZeroPointBytes(cols)].join()) throw corrupt(`${name}${Q4_ZERO_POINTS} must be U8 of shape [${rows}, ${q4ZeroPointBytes(cols)}]`);
    const q4: Q4Matrix = { rows: rows!, cols, packed, scales: decode(bytes, scales.at, scales.count, 'F16'), zeroPoints: bytes.slice(zeros.at, zeros.at + zeros.count) };
    let data: Float32Array | undefined;
    return {
      shape: [rows!, cols],
      storedDtype: 'Q4',
      q4,
      get data(): Float32Array {
        return (data ??= dequantizeQ4(q4));
      },
    };
  }
}

function decode(bytes: Uint8Array, offset: number, count: number, dtype: 'F32' | 'F16' | 'BF16'): Float32Array {
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


/**
 * A tensor to write; `dtype` (default F32) is how it is stored, converted from float32 with round-to-nearest-even
 * (F16, BF16), quantised per row (I8, 2-D only: also writes `<name>.scale`) or in 4-bit blocks (Q4, 2-D with
 * a multiple of 32 columns: also writes `<name>.q4_scales` and `<name>.q4_zero_points`).
 */
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
  const put = (name: string, dtype: StoredDtype, shape: readonly number[], stored: ArrayBufferView): void => {
    const bytes = new Uint8Array(stored.buffer, stored.byteOffset, stored.byteLength);
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes.byteLength] };
    payloads.push(bytes);
    offset += bytes.byteLength;
  };
  for (const t of tensors) {
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) throw new Error(`tensor ${t.name}: shape does not match data length`);
    const dtype = t.dtype ?? 'F32';
    if (dtype === 'I8') {
      const [rows, cols] = t.shape;
      if (t.shape.length !== 2) throw new Error(`tensor ${t.name}: I8 is written per row, for 2-D tensors only`);
      const { values, scales } = quantizeInt8Rows(t.data, rows!, cols!);
      put(t.name, 'I8', t.shape, values);
      put(t.name + SCALE, 'F32', [rows!], scales);
      continue;
    }
    if (dtype === 'Q4') {
      if (!canQuantizeQ4(t.shape)) throw new Error(`tensor ${t.name}: Q4 is written in blocks of ${Q4_BLOCK} along rows, for 2-D tensors whose rows are whole blocks`);
      const [rows, cols] = t.shape as [number, number];
      const q = quantizeQ4(t.data, rows, cols);
      put(t.name, 'U8', [rows, q4BlocksPerRow(cols), Q4_BLOCK / 2], q.packed);
      put(t.name + Q4_SCALES, 'F16', [rows, q4BlocksPerRow(cols)], toFloat16Bits(q.scales));
      put(t.name + Q4_ZERO_POINTS, 'U8', [rows, q4ZeroPointBytes(cols)], q.zeroPoints);
      continue;
    }
    put(t.name, dtype, t.shape, dtype === 'F32' ? t.data : dtype === 'F16' ? toFloat16Bits(t.data) : toBfloat16Bits(t.data));
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
