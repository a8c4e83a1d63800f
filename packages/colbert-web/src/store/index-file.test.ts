import { describe, expect, it } from 'vitest';
import { prepareDocuments } from './add-input.js';
import { crc32 } from './crc32.js';
import { CHUNK_OVERHEAD, HEADER_BYTES } from './index-file-format.js';
import { IndexFileReader, scanIndexFile } from './index-file-reader.js';
import type { FileItem } from './index-file-reader.js';
import { IndexFileWriter } from './index-file-writer.js';
import { documentsToFileSegment } from './segment-convert.js';
import { randomStoreDocuments } from '../testing/random-documents.js';
import { testIdentity } from '../testing/test-identity.js';

const DIM = 16;

function buildFile(precision: 'int8' | 'f16' | 'f32' = 'int8'): { bytes: Uint8Array; parts: Uint8Array[] } {
  const docs = prepareDocuments(randomStoreDocuments({ seed: 11, count: 30, dim: DIM }), DIM);
  const w = new IndexFileWriter();
  const parts = [w.start(testIdentity(DIM), precision)];
  for (let i = 0; i < 30; i += 10) parts.push(w.segment(documentsToFileSegment(docs.slice(i, i + 10), i, DIM, precision)));
  parts.push(w.end());
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return { bytes, parts };
}

function readAll(bytes: Uint8Array, slice = bytes.length): FileItem[] {
  const r = new IndexFileReader();
  const items: FileItem[] = [];
  for (let i = 0; i < bytes.length; i += slice) items.push(...r.push(bytes.subarray(i, i + slice)));
  r.finish();
  return items;
}

describe('index file', () => {
  it('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });

  it('round-trips identity, vectors, spans and records in any slicing', () => {
    for (const precision of ['int8', 'f16', 'f32'] as const) {
      const { bytes } = buildFile(precision);
      const whole = readAll(bytes);
      const sliced = readAll(bytes, 97);
      expect(sliced).toEqual(whole);
      expect(whole[0]).toMatchObject({ kind: 'identity', precision, identity: testIdentity(DIM) });
      const segs = whole.filter((i) => i.kind === 'segment');
      expect(segs.length).toBe(3);
      const docs = prepareDocuments(randomStoreDocuments({ seed: 11, count: 30, dim: DIM }), DIM);
      expect(segs[1]!.kind === 'segment' && segs[1]!.segment).toEqual(documentsToFileSegment(docs.slice(10, 20), 10, DIM, precision));
      expect(whole.at(-1)).toMatchObject({ kind: 'end', documents: 30, segments: 3 });
    }
  });

  it('rejects truncation at every chunk boundary and mid-chunk', () => {
    const { bytes, parts } = buildFile();
    let at = 0;
    for (const p of parts.slice(0, -1)) {
      at += p.length;
      expect(() => readAll(bytes.subarray(0, at))).toThrow(/truncated/);
      expect(() => readAll(bytes.subarray(0, at - 3))).toThrow(/INDEX_FILE_INVALID|truncated|shorter/);
    }
    expect(() => readAll(bytes.subarray(0, 5))).toThrow(/shorter than its header/);
  });

  it('rejects a flipped byte anywhere (sampled), a wrong version, wrong magic and absurd lengths', () => {
    const { bytes } = buildFile();
    for (let i = 0; i < bytes.length; i += Math.max(1, Math.floor(bytes.length / 300))) {
      const t = bytes.slice();
      t[i] = t[i]! ^ 0x10;
      let code: string | undefined;
      try {
        readAll(t);
      } catch (e) {
        code = (e as { code?: string }).code;
      }
      expect(code, `flip at ${i}`).toBe('INDEX_FILE_INVALID');
    }
    const version = bytes.slice();
    new DataView(version.buffer).setUint32(8, 3, true);
    new DataView(version.buffer).setUint32(12, crc32(version.subarray(0, 12)), true);
    expect(() => readAll(version)).toThrow(/version 3/);
    const absurd = bytes.slice();
    new DataView(absurd.buffer).setUint32(HEADER_BYTES + 4, 0xfffffff0, true);
    expect(() => readAll(absurd)).toThrow(/over the .*limit/);
    expect(() => readAll(new TextEncoder().encode('{"not": "an index file at all"}'))).toThrow(/magic/);
  });

  it('rejects a well-checksummed segment whose counts lie', async () => {
    const { frameChunk, ChunkType } = await import('./index-file-format.js');
    const { parts } = buildFile();
    const seg = parts[1]!.slice(8, parts[1]!.length - 4);
    new DataView(seg.buffer).setUint32(0, 1e6, true); // a million documents in a small payload
    const bad = [parts[0]!, frameChunk(ChunkType.segment, seg)];
    const bytes = new Uint8Array(bad[0]!.length + bad[1]!.length);
    bytes.set(bad[0]!);
    bytes.set(bad[1]!, bad[0]!.length);
    expect(() => new IndexFileReader().push(bytes)).toThrow(/do not add up/);
  });

  it('scan keeps the longest valid prefix for a resumed build', () => {
    const { bytes, parts } = buildFile();
    const prefix = parts[0]!.length + parts[1]!.length + parts[2]!.length;
    const torn = bytes.subarray(0, prefix + 50);
    const scan = scanIndexFile(torn);
    expect(scan).toMatchObject({ validLength: prefix, complete: false, totals: { segments: 2, documents: 20 }, lastSeq: 19 });
    expect(scan.ids.length).toBe(20);
    const garbage = bytes.slice(0, prefix + CHUNK_OVERHEAD + 40);
    garbage.fill(0, prefix);
    expect(scanIndexFile(garbage).validLength).toBe(prefix);
    expect(scanIndexFile(bytes).complete).toBe(true);
  });
});
