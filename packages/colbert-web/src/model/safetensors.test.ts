import { generatePreset } from '@colbert-web/fixtures';
import { describe, expect, test } from 'vitest';
import { ErrorCode } from '../errors.js';
import { memoryFiles } from './files/memory-files.js';
import { loadEncoder } from './load-model.js';
import type { SafetensorsDtype } from './safetensors.js';
import { dequantizeQ4, quantizeQ4 } from './q4-blocks.js';
import { parseSafetensors, writeSafetensors } from './safetensors.js';

describe('safetensors dtypes', () => {
  test('F16 and BF16 read back as the nearest representable float32', () => {
    const data = Float32Array.of(1, -2, 0.1, 65504, 1e-8, 3.140625);
    const bytes = writeSafetensors([
      { name: 'a', shape: [6], data, dtype: 'F16' },
      { name: 'b', shape: [2, 3], data, dtype: 'BF16' },
      { name: 'c', shape: [6], data },
    ]);
    const tensors = parseSafetensors(bytes, 'test.safetensors');
    // Hand-computed: float16 has 10 mantissa bits, bfloat16 7.
    expect(Array.from(tensors.get('a')!.data)).toEqual([1, -2, 0.0999755859375, 65504, 0, 3.140625]);
    expect(Array.from(tensors.get('b')!.data)).toEqual([1, -2, 0.10009765625, 65536, 1.0011717677116394e-8, 3.140625]);
    expect(tensors.get('b')!.shape).toEqual([2, 3]);
    expect(tensors.get('a')!.storedDtype).toBe('F16');
    expect(tensors.get('c')!.data).toEqual(data);
  });

  test('I8 is per-row symmetric int8: scale max|row| / 127, values rounded, a zero row stays zero', () => {
    const data = Float32Array.of(1, -0.5, 0.25, 0, 0, 0, 2, 4, -8);
    const bytes = writeSafetensors([{ name: 'w', shape: [3, 3], data, dtype: 'I8' }]);
    // 9 int8 values and 3 float32 scales after the header.
    expect(bytes.length - 8 - Number(new DataView(bytes.buffer).getBigUint64(0, true))).toBe(9 + 12);
    const w = parseSafetensors(bytes, 'q.safetensors').get('w')!;
    expect(w.storedDtype).toBe('I8');
    expect(w.shape).toEqual([3, 3]);
    // Hand-computed: row 0 scale 1/127 → 127, round(-63.5) = -63, round(31.75) = 32; row 2 scale 8/127 → 32, 64, -127.
    const expected = [127 / 127, -63 / 127, 32 / 127, 0, 0, 0, (32 * 8) / 127, (64 * 8) / 127, -8];
    expected.forEach((x, i) => expect(w.data[i]).toBeCloseTo(x, 6));
    expect(() => writeSafetensors([{ name: 'b', shape: [3], data: new Float32Array(3), dtype: 'I8' }])).toThrow(/2-D/);
  });

  test('an I8 tensor without its scales, or with scales of the wrong shape, is refused', () => {
    const bytes = writeSafetensors([{ name: 'w', shape: [2, 2], data: Float32Array.of(1, 2, 3, 4), dtype: 'I8' }]);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { shape: number[] }>;
    const rewrite = (edit: (h: Record<string, { shape: number[] }>) => void): Uint8Array => {
      const h = structuredClone(header);
      edit(h);
      const json = new TextEncoder().encode(JSON.stringify(h).padEnd(n, ' '));
      const out = new Uint8Array(bytes);
      out.set(json.subarray(0, n), 8);
      return out;
    };
    expect(() => parseSafetensors(rewrite((h) => void (h['w.scale']!.shape = [4])), 'q.safetensors')).toThrow(expect.objectContaining({ code: ErrorCode.ModelFileCorrupt }));
    expect(() => parseSafetensors(rewrite((h) => {
      h['w.scales'] = h['w.scale']!;
      delete h['w.scale'];
    }), 'q.safetensors')).toThrow(expect.objectContaining({ code: ErrorCode.ModelUnsupported }));
  });

  test('Q4 is stored as 4-bit codes, float16 block scales and packed zero points, read back as blocks and lazily as float32', () => {
    const data = Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i * 0.37) * 0.1);
    const bytes = writeSafetensors([
      { name: 'w', shape: [3, 64], data, dtype: 'Q4' },
      { name: 'v', shape: [64], data: data.subarray(0, 64) },
    ]);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[] }>;
    expect([header['w']!.dtype, header['w']!.shape]).toEqual(['U8', [3, 2, 16]]);
    expect([header['w.q4_scales']!.dtype, header['w.q4_scales']!.shape]).toEqual(['F16', [3, 2]]);
    expect([header['w.q4_zero_points']!.dtype, header['w.q4_zero_points']!.shape]).toEqual(['U8', [3, 1]]);
    // 96 code bytes + 6 float16 scales + 3 zero-point bytes, then the float32 vector.
    expect(bytes.length - 8 - n).toBe(96 + 12 + 3 + 256);
    const tensors = parseSafetensors(bytes, 'q4.safetensors');
    expect([...tensors.keys()].sort()).toEqual(['v', 'w']);
    const w = tensors.get('w')!;
    expect([w.storedDtype, w.shape]).toEqual(['Q4', [3, 64]]);
    expect(w.q4).toEqual(quantizeQ4(data, 3, 64));
    expect(w.data).toEqual(dequantizeQ4(w.q4!));
    expect(() => writeSafetensors([{ name: 'odd', shape: [2, 40], data: new Float32Array(80), dtype: 'Q4' }])).toThrow(/whole blocks/);
    // Scales of the wrong shape are a corrupt file.
    const bad = JSON.stringify({ ...header, 'w.q4_scales': { ...header['w.q4_scales'], shape: [6, 1], data_offsets: (header['w.q4_scales'] as unknown as { data_offsets: number[] }).data_offsets } });
    const rewritten = new Uint8Array(bytes);
    rewritten.set(new TextEncoder().encode(bad.padEnd(n, ' ')), 8);
    expect(bad.length).toBeLessThanOrEqual(n);
    expect(() => parseSafetensors(rewritten, 'q4.safetensors')).toThrow(expect.objectContaining({ code: ErrorCode.ModelFileCorrupt }));
  });

  test('a data range outside the file and an unknown dtype are typed errors naming the file', () => {
    const bytes = writeSafetensors([{ name: 'a', shape: [4], data: new Float32Array(4) }]);
    expect(() => parseSafetensors(bytes.subarray(0, bytes.length - 4), 'w.safetensors')).toThrow(expect.objectContaining({ code: ErrorCode.ModelFileCorrupt, subject: 'w.safetensors' }));
    const header = new TextEncoder().encode(JSON.stringify({ a: { dtype: 'I8', shape: [1], data_offsets: [0, 1] } }));
    const odd = new Uint8Array(8 + header.length + 1);
    new DataView(odd.buffer).setBigUint64(0, BigInt(header.length), true);
    odd.set(header, 8);
    expect(() => parseSafetensors(odd, 'w.safetensors')).toThrow(expect.objectContaining({ code: ErrorCode.ModelUnsupported }));
  });
});

describe('checkpoints stored in half precision or per-row int8', () => {
  // Every backbone and Dense tensor rewritten as F16 / BF16 (I8: every 2-D one); the encoder gets float32 on load.
  const halve = (files: ReadonlyMap<string, Uint8Array>, dtype: SafetensorsDtype): Map<string, Uint8Array> => {
    const out = new Map(files);
    for (const [path, bytes] of files) {
      if (!path.endsWith('.safetensors')) continue;
      const tensors = [...parseSafetensors(bytes, path)].map(([name, t]) => ({ name, shape: t.shape, data: t.data, dtype: dtype === 'I8' && t.shape.length !== 2 ? 'F32' : dtype }));
      out.set(path, writeSafetensors(tensors));
    }
    return out;
  };

  for (const [dtype, floor] of [['F16', 0.999], ['BF16', 0.99], ['I8', 0.995]] as const) {
    test(`${dtype}: every row's cosine with the float32 checkpoint's ≥ ${floor}`, async () => {
      const f32 = generatePreset('tiny');
      const inputs = ['What does p53 do in apoptosis?', 'Myocardial infarction risk rises with age and smoking.'].flatMap((text) => [
        { text, kind: 'query' as const },
        { text, kind: 'document' as const },
      ]);
      const full = await loadEncoder(memoryFiles(f32), { threads: 1 });
      const half = await loadEncoder(memoryFiles(halve(f32, dtype)), { threads: 1 });
      const [a, b] = [await full.encode(inputs), await half.encode(inputs)];
      let minCosine = 1;
      a.forEach((e, i) => {
        for (let r = 0; r < e.rows; r++) {
          let dot = 0;
          for (let c = 0; c < e.dim; c++) dot += e.vectors[r * e.dim + c]! * b[i]!.vectors[r * e.dim + c]!;
          minCosine = Math.min(minCosine, dot);
        }
      });
      await full.close();
      await half.close();
      expect(minCosine).toBeGreaterThanOrEqual(floor);
      expect(minCosine).toBeLessThan(1);
      console.log(`${dtype} weights: min row cosine ${minCosine.toFixed(6)}`);
    });
  }
});
