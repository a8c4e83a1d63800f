import { describe, expect, it } from 'vitest';
import type { SegmentEntry } from './records.js';
import { planSync } from './sync-plan.js';

const seg = (id: number, firstSeq: number, lastSeq: number): SegmentEntry => ({
  id,
  documents: lastSeq - firstSeq + 1,
  tokens: 10,
  firstSeq,
  lastSeq,
  vectorBytes: 100,
  spanBytes: 10,
  recordBytes: 10,
});
const held = (generation: number, segments: SegmentEntry[]) => ({ generation, precision: 'int8' as const, segments });
const manifest = (generation: number, segments: SegmentEntry[], precision: 'int8' | 'f32' = 'int8') => ({ generation, precision, segments });

describe('planSync', () => {
  const a = seg(0, 0, 15);
  const b = seg(1, 16, 31);
  it('is unchanged at the same generation, whatever the segments say', () => {
    expect(planSync(held(3, [a]), manifest(3, [a, b]))).toEqual({ kind: 'unchanged' });
  });
  it('appends only segments above everything held (another tab added), in manifest order', () => {
    const c = seg(2, 32, 40);
    expect(planSync(held(1, [a]), manifest(3, [a, b, c]))).toEqual({ kind: 'delta', append: [b, c], vanished: [], rewritten: [] });
  });
  it('a tombstone-only commit is a delta with nothing to load', () => {
    expect(planSync(held(1, [a, b]), manifest(2, [a, b]))).toEqual({ kind: 'delta', append: [], vanished: [], rewritten: [] });
  });
  it('a compaction of held segments names the vanished and the rewritten, and appends nothing', () => {
    const merged = seg(5, 0, 31);
    expect(planSync(held(2, [a, b]), manifest(4, [merged]))).toEqual({ kind: 'delta', append: [], vanished: [a, b], rewritten: [merged] });
  });
  it('clear and import: every held segment vanished; imported ones (seqs above) are appended', () => {
    expect(planSync(held(2, [a, b]), manifest(3, []))).toEqual({ kind: 'delta', append: [], vanished: [a, b], rewritten: [] });
    const imported = seg(9, 40, 60);
    expect(planSync(held(2, [a, b]), manifest(3, [imported]))).toEqual({ kind: 'delta', append: [imported], vanished: [a, b], rewritten: [] });
  });
  it('reloads when a compaction merged held and unheld documents, or the precision changed', () => {
    expect(planSync(held(1, [a]), manifest(4, [seg(5, 0, 31)]))).toEqual({ kind: 'reload' });
    expect(planSync(held(1, [a]), manifest(2, [seg(9, 40, 60)], 'f32'))).toEqual({ kind: 'reload' });
  });
  it('an empty held view appends everything', () => {
    expect(planSync(held(0, []), manifest(2, [a, b]))).toEqual({ kind: 'delta', append: [a, b], vanished: [], rewritten: [] });
  });
});
