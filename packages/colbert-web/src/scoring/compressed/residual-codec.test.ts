import { describe, expect, it } from 'vitest';
import { ColbertError, ErrorCode } from '../../errors.js';
import { assertNbits, encodeResidual, residualBucket, residualBytes, trainResidualCodec } from './residual-codec.js';

describe('residual codec', () => {
  it('puts cutoffs and weights at the quantiles of each dimension (linear interpolation)', () => {
    // Dimension 0 residuals 0, 1, …, 8; dimension 1 the same × −1. nbits 2: cutoffs at q = ¼, ½, ¾ → 2, 4, 6;
    // weights at q = ⅛, ⅜, ⅝, ⅞ → positions 1, 3, 5, 7.
    const residuals = new Float64Array(9 * 2);
    for (let r = 0; r < 9; r++) [residuals[r * 2], residuals[r * 2 + 1]] = [r, -r];
    const codec = trainResidualCodec(residuals, 2, 2);
    expect(Array.from(codec.cutoffs)).toEqual([2, 4, 6, -6, -4, -2]);
    expect(Array.from(codec.weights)).toEqual([1, 3, 5, 7, -7, -5, -3, -1]);
    // nbits 4 on 0…8: cutoff j at 8j/16 = j/2; weight j at 8(j + ½)/16.
    const four = trainResidualCodec(residuals, 2, 4);
    expect(Array.from(four.cutoffs.subarray(0, 15))).toEqual(Array.from({ length: 15 }, (_, j) => (j + 1) / 2));
    expect(Array.from(four.weights.subarray(0, 16))).toEqual(Array.from({ length: 16 }, (_, j) => (j + 0.5) / 2));
  });

  it('codes each dimension as the count of cutoffs strictly below the residual, packed low bits first', () => {
    const codec = { dim: 4, nbits: 2, cutoffs: Float32Array.of(-1, 0, 1, -1, 0, 1, -1, 0, 1, -1, 0, 1), weights: new Float32Array(16) };
    const centroid = Float32Array.of(0.5, 0.5, 0.5, 0.5);
    // residuals −2, 0 (on a cutoff: not above it), 0.25, 1.5 → buckets 0, 1, 2, 3 → 0b11_10_01_00
    const vector = Float32Array.of(-1.5, 0.5, 0.75, 2);
    const out = new Uint8Array(1);
    encodeResidual(codec, vector, 0, centroid, 0, out, 0);
    expect(out[0]).toBe(0b11_10_01_00);
    expect([0, 1, 2, 3].map((i) => residualBucket(out, 0, i, 2))).toEqual([0, 1, 2, 3]);
    const four = { dim: 2, nbits: 4, cutoffs: Float32Array.from({ length: 30 }, (_, j) => (j % 15) - 7), weights: new Float32Array(32) };
    const packed = new Uint8Array(1);
    encodeResidual(four, Float32Array.of(-100, 100), 0, Float32Array.of(0, 0), 0, packed, 0);
    expect(packed[0]).toBe(0xf0); // dimension 0 in bucket 0, dimension 1 in bucket 15
  });

  it('costs dim · nbits / 8 bytes a token', () => {
    expect(residualBytes(128, 2)).toBe(32);
    expect(residualBytes(96, 4)).toBe(48);
  });

  it('rejects nbits other than 2 and 4 with INVALID_INPUT naming the field', () => {
    for (const nbits of [0, 1, 3, 8, 2.5, '2']) {
      let error: unknown;
      try {
        assertNbits(nbits, 'options.nbits');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ColbertError);
      expect(error).toMatchObject({ code: ErrorCode.InvalidInput, subject: 'options.nbits' });
      expect((error as Error).message).toMatch(/options\.nbits must be 2 or 4/);
    }
    expect(() => trainResidualCodec(new Float64Array(4), 2, 3)).toThrowError(/nbits must be 2 or 4 \(got 3\)/);
  });
});
