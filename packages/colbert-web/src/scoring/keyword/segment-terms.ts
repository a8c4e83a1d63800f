import { ColbertError, ErrorCode } from '../../errors.js';

/**
 * The analysed terms of a batch of documents, as the keyword index appends them and the store persists them: a
 * dictionary of the batch's distinct terms, and per document its distinct terms with their frequencies.
 * Document i's entries are `pairs[2·starts[i] …]`: (index into `dictionary`, term frequency ≥ 1), terms in first
 * occurrence order.
 */
export interface SegmentTerms {
  readonly dictionary: readonly string[];
  /** Document i has entries `starts[i] … starts[i+1] − 1`; `starts[0] = 0`. */
  readonly starts: Uint32Array;
  readonly pairs: Uint32Array;
}

/** Groups each document's terms (repeats are its term frequencies) into a batch. */
export function segmentTerms(documents: readonly (readonly string[])[]): SegmentTerms {
  const index = new Map<string, number>();
  const dictionary: string[] = [];
  const starts = new Uint32Array(documents.length + 1);
  const pairs: number[] = [];
  documents.forEach((terms, d) => {
    const counts = new Map<number, number>();
    for (const term of terms) {
      let id = index.get(term);
      if (id === undefined) {
        id = dictionary.push(term) - 1;
        index.set(term, id);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const [id, tf] of counts) pairs.push(id, tf);
    starts[d + 1] = pairs.length / 2;
  });
  return { dictionary, starts, pairs: Uint32Array.from(pairs) };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Little-endian bytes: u32 documents, u32 dictionary terms, u32 dictionary bytes, u32 entries, then `starts`
 * (documents + 1 u32), `pairs` (2 · entries u32) and the dictionary as UTF-8, terms separated by "\n" (the analyzer
 * never yields whitespace).
 */
export function encodeSegmentTerms(terms: SegmentTerms): Uint8Array {
  const text = encoder.encode(terms.dictionary.join('\n'));
  const documents = terms.starts.length - 1;
  const entries = terms.pairs.length / 2;
  const words = 4 + documents + 1 + 2 * entries;
  const out = new Uint8Array(words * 4 + text.length);
  const view = new DataView(out.buffer);
  [documents, terms.dictionary.length, text.length, entries].forEach((v, i) => view.setUint32(i * 4, v, true));
  let at = 16;
  for (const v of terms.starts) at = (view.setUint32(at, v, true), at + 4);
  for (const v of terms.pairs) at = (view.setUint32(at, v, true), at + 4);
  out.set(text, at);
  return out;
}

function corrupt(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.IndexCorrupt, `${subject}: ${message}`, { subject });
}

/**
 * The inverse of `encodeSegmentTerms`, with every length, offset, term index and frequency checked before use: a
 * bad one is INDEX_CORRUPT naming `subject`, never a wrong posting.
 */
export function decodeSegmentTerms(bytes: Uint8Array, subject: string): SegmentTerms {
  if (bytes.length < 16) throw corrupt(subject, `keyword terms are ${bytes.length} bytes, shorter than their header.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const [documents, terms, textBytes, entries] = [0, 1, 2, 3].map((i) => view.getUint32(i * 4, true)) as [number, number, number, number];
  const expected = 16 + (documents + 1 + 2 * entries) * 4 + textBytes;
  if (bytes.length !== expected) throw corrupt(subject, `keyword terms are ${bytes.length} bytes; their header says ${expected}.`);
  const u32 = (at: number, n: number): Uint32Array => {
    const out = new Uint32Array(n);
    for (let i = 0; i < n; i++) out[i] = view.getUint32(at + i * 4, true);
    return out;
  };
  const starts = u32(16, documents + 1);
  const pairs = u32(16 + (documents + 1) * 4, 2 * entries);
  if (starts[0] !== 0 || starts[documents] !== entries) throw corrupt(subject, 'keyword term offsets do not span the entries.');
  for (let i = 0; i < documents; i++) if (starts[i]! > starts[i + 1]!) throw corrupt(subject, `keyword term offsets decrease at document ${i}.`);
  let text: string;
  try {
    text = decoder.decode(bytes.subarray(expected - textBytes));
  } catch {
    throw corrupt(subject, 'the keyword dictionary is not valid UTF-8.');
  }
  const dictionary = terms === 0 ? [] : text.split('\n');
  if (dictionary.length !== terms) throw corrupt(subject, `the keyword dictionary holds ${dictionary.length} terms; its header says ${terms}.`);
  for (let p = 0; p < pairs.length; p += 2) {
    if (pairs[p]! >= terms) throw corrupt(subject, `keyword entry ${p / 2} names term ${pairs[p]} of ${terms}.`);
    if (pairs[p + 1] === 0) throw corrupt(subject, `keyword entry ${p / 2} has a zero term frequency.`);
  }
  return { dictionary, starts, pairs };
}
