import { beforeAll, describe, expect, test } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import type { FixtureTokenizer } from '../testing/golden-fixture.js';
import { loadFixtureTokenizer, readFixtureJson } from '../testing/golden-fixture.js';
import type { ReferenceEntry, ReferenceFile } from '../testing/golden-reference.js';
import type { PrepareInput, PrepareOptions } from './colbert-prep.js';
import { prepareTexts } from './colbert-prep.js';
import type { ColbertSettings } from './colbert-settings.js';
import type { PreparedText } from './prepared.js';
import type { ColbertTokenizer } from './tokenizer.js';

interface Fixture extends FixtureTokenizer {
  entries: readonly ReferenceEntry[];
}

async function loadFixture(name: string): Promise<Fixture> {
  const entries = ((await readFixtureJson(name, 'reference/reference.json')) as ReferenceFile).entries;
  return { ...(await loadFixtureTokenizer(name)), entries };
}

let bert: Fixture;
let bpe: Fixture;
const both = () => [
  ['BERT', bert],
  ['ModernBERT', bpe],
] as const;

beforeAll(async () => {
  [bert, bpe] = await Promise.all([loadFixture('colbert-tiny-golden'), loadFixture('modernbert-tiny-golden')]);
});

function prepare(fx: Fixture, inputs: PrepareInput[], options?: PrepareOptions, settings: Partial<ColbertSettings> = {}): PreparedText[] {
  return prepareTexts(fx.tokenizer, { ...fx.settings, ...settings }, inputs, options);
}

/** A long document built from the fixture texts (every script and corner they hold), `length` UTF-16 units. */
function longText(fx: Fixture, length: number): string {
  const all = fx.texts.join(' \n');
  let text = '';
  while (text.length < length) text += all + ' ';
  return text.slice(0, length);
}

/** What truncation must give: the whole text tokenized, cut to `length` keeping the trailing [SEP]. */
function cutWhole(tok: ColbertTokenizer, prefix: string, text: string, length: number): { ids: number[]; spans: number[] } {
  const { ids, tokens } = tok.tokenize(prefix + text);
  const content = tokens.slice(tok.leadingSpecials, -tok.trailingSpecials);
  const aligned = tok.spans(prefix + text, content);
  const spans: number[] = [];
  ids.forEach((_, i) => {
    const c = i - tok.leadingSpecials;
    const start = c >= 0 && c < content.length ? aligned[2 * c]! : -1;
    spans.push(...(start >= prefix.length ? [start - prefix.length, aligned[2 * c + 1]! - prefix.length] : [-1, -1]));
  });
  const keep = ids.length <= length ? [...ids.keys()] : [...Array(length - tok.trailingSpecials).keys(), ...Array.from({ length: tok.trailingSpecials }, (_, k) => ids.length - tok.trailingSpecials + k)];
  return { ids: keep.map((i) => ids[i]!), spans: keep.flatMap((i) => [spans[2 * i]!, spans[2 * i + 1]!]) };
}

describe('reference token ids (§4.2 step 3, §4.6)', () => {
  test.each(['BERT', 'ModernBERT'])('%s: every entry of reference.json', (name) => {
    const fx = name === 'BERT' ? bert : bpe;
    const prepared = prepare(fx, fx.entries.map((e) => ({ text: e.text, kind: e.mode })));
    fx.entries.forEach((entry, i) => {
      const p = prepared[i]!;
      const label = `${entry.id}/${entry.mode}`;
      expect(p.kind, label).toBe(entry.mode);
      expect(p.sequences, label).toHaveLength(1);
      const sequence = p.sequences[0]!;
      if (entry.mode === 'query') {
        // Queries: all query_length rows, [MASK] expansion included, attention only on the first n_tokens.
        expect(Array.from(sequence.ids), label).toEqual(entry.token_ids);
        expect(Array.from(sequence.attentionMask), label).toEqual(entry.token_ids.map((_, r) => (r < entry.n_tokens ? 1 : 0)));
        expect(Array.from(sequence.keepRows), label).toEqual(entry.token_ids.map((_, r) => r));
      } else {
        // Documents: the n_tokens rows, all attended; PyLate keeps the rows that are not skiplist tokens.
        expect(Array.from(sequence.ids), label).toEqual(entry.token_ids.slice(0, entry.n_tokens));
        expect(Array.from(sequence.attentionMask), label).toEqual(Array(entry.n_tokens).fill(1));
        const skip = new Set(entry.skiplist_rows);
        expect(Array.from(sequence.keepRows), label).toEqual([...Array(entry.n_tokens).keys()].filter((r) => !skip.has(r)));
      }
      const kept = Array.from(sequence.keepRows);
      expect(Array.from(p.ids), label).toEqual(kept.map((r) => entry.token_ids[r]));
      expect(p.tokens, label).toEqual(kept.map((r) => entry.tokens[r]));
      expect(p.spans.length, label).toBe(2 * kept.length);
      const [prefix, length] = entry.mode === 'query' ? [fx.settings.queryPrefix, fx.settings.queryLength] : [fx.settings.documentPrefix, fx.settings.documentLength];
      expect(p.truncated, label).toBe(fx.tokenizer.tokenize(prefix + entry.text).ids.length > length);
    });
  });

  test('truncated is set exactly when text was cut', () => {
    const [short, full, over] = prepare(bert, [
      { text: 'a b c', kind: 'query' },
      { text: Array(29).fill('a').join(' '), kind: 'query' },
      { text: Array(30).fill('a').join(' '), kind: 'query' },
    ]);
    expect([short!.truncated, full!.truncated, over!.truncated]).toEqual([false, false, true]);
    expect(Array.from(full!.sequences[0]!.attentionMask).every((m) => m === 1)).toBe(true);
    expect(over!.ids.at(-1)).toBe(102);
  });
});

describe('edge cases', () => {
  test('empty and whitespace-only text give [CLS] prefix [SEP] (BERT; byte-level BPE keeps whitespace tokens)', () => {
    for (const text of ['', '   ', '\t\n\r ', '\u00a0\u3000\u2003']) {
      const [doc, query] = prepare(bert, [
        { text, kind: 'document' },
        { text, kind: 'query' },
      ]);
      expect(Array.from(doc!.ids)).toEqual([101, 2, 102]);
      expect(Array.from(doc!.spans)).toEqual([-1, -1, -1, -1, -1, -1]);
      expect(Array.from(query!.ids)).toEqual([101, 1, 102, ...Array(29).fill(103)]);
      expect(query!.truncated).toBe(false);
    }
    const [empty] = prepare(bpe, [{ text: '', kind: 'document' }]);
    expect(Array.from(empty!.ids)).toEqual([1985, 2049, 1986]);
  });

  test('lone surrogates and control characters do not crash; ids as the Rust library gives', () => {
    // BertNormalizer drops surrogates and controls (pylate-rs sees U+FFFD, which it drops too).
    const [doc] = prepare(bert, [{ text: '\ud800ab\udc00c\u0000\u0007d\u200b', kind: 'document' }]);
    expect(doc!.tokens).toEqual(['[CLS]', '[unused1]', 'abc', '##d', '[SEP]']);
    expect(Array.from(doc!.spans.subarray(4, 8))).toEqual([1, 5, 7, 8]);
    // Byte-level BPE encodes a lone surrogate as U+FFFD's bytes, as TextEncoder (and pylate-rs) do.
    const [bpeDoc] = prepare(bpe, [{ text: 'a\ud800b', kind: 'document' }], {}, { skiplistWords: [] });
    expect(bpeDoc!.tokens.slice(2, -1)).toEqual(['a', 'ï', '¿', '½', 'b']);
  });

  test('a 1 MB document, truncate mode: same rows as tokenizing it whole, fast', () => {
    for (const [name, fx] of both()) {
      const text = longText(fx, 1_000_000);
      const t0 = performance.now();
      const [doc] = prepare(fx, [{ text, kind: 'document' }], {}, { skiplistWords: [] });
      const ms = performance.now() - t0;
      console.info(`${name}: 1 MB document, truncate: ${ms.toFixed(1)} ms`);
      expect(ms).toBeLessThan(500);
      expect(doc!.truncated).toBe(true);
      const want = cutWhole(fx.tokenizer, fx.settings.documentPrefix, text, fx.settings.documentLength);
      expect(Array.from(doc!.ids)).toEqual(want.ids);
      expect(Array.from(doc!.spans)).toEqual(want.spans);
    }
  });

  test('a 1 MB document, split mode: windows cover every text token once, each window fits, fast', () => {
    for (const [name, fx] of both()) {
      const text = longText(fx, 1_000_000);
      const t0 = performance.now();
      const [doc] = prepare(fx, [{ text, kind: 'document' }], { longDocuments: 'split' }, { skiplistWords: [] });
      const ms = performance.now() - t0;
      console.info(`${name}: 1 MB document, split into ${doc!.sequences.length} windows: ${ms.toFixed(0)} ms`);
      expect(ms).toBeLessThan(5000);
      checkSplit(fx, text, doc!, Math.floor((fx.settings.documentLength - 3) / 4));
    }
  });

  test('split mode with a given overlap, and with the skiplist', () => {
    const text = longText(bert, 6000);
    for (const overlap of [0, 1, 10, 100]) {
      const [doc] = prepare(bert, [{ text, kind: 'document' }], { longDocuments: 'split', splitOverlap: overlap }, { skiplistWords: [] });
      checkSplit(bert, text, doc!, overlap);
    }
    const [withSkiplist] = prepare(bert, [{ text, kind: 'document' }], { longDocuments: 'split' });
    const [without] = prepare(bert, [{ text, kind: 'document' }], { longDocuments: 'split' }, { skiplistWords: [] });
    const skip = bert.tokenizer.skiplistIds;
    expect(Array.from(withSkiplist!.ids)).toEqual(Array.from(without!.ids).filter((id) => !skip.has(id)));
    // A document that fits is prepared as in truncate mode.
    const [short] = prepare(bert, [{ text: 'short text.', kind: 'document' }], { longDocuments: 'split' });
    expect(short).toEqual(prepare(bert, [{ text: 'short text.', kind: 'document' }])[0]);
  });

  test('10,000 texts', () => {
    const inputs: PrepareInput[] = Array.from({ length: 10_000 }, (_, i) => ({ text: `${bert.texts[i % bert.texts.length]!} #${i}`, kind: i % 3 ? 'document' : 'query' }));
    for (const [name, fx] of both()) {
      const t0 = performance.now();
      const prepared = prepare(fx, inputs);
      console.info(`${name}: 10,000 texts: ${(performance.now() - t0).toFixed(0)} ms`);
      expect(prepared).toHaveLength(10_000);
      expect(prepared.filter((p) => p.kind === 'query').every((p) => p.ids.length === fx.settings.queryLength)).toBe(true);
    }
  });

  test('truncating from a prefix of the text equals tokenizing it whole (random long texts)', () => {
    let seed = 2024;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pieces = ['word ', 'Σ', 'ΑΣ ', ' ', '   ', '\t', '\n', '[MASK]', '  [MASK] ', '[Q] ', '[D] ', '[unused0]', 'e\u0301 ', '中文', '😀 ', '\u200b', '] ', "it's ", 'x'.repeat(150), '\ud800', 'a\u0085b '];
    for (const [, fx] of both()) {
      for (let n = 0; n < 40; n++) {
        let text = '';
        const size = 2000 + Math.floor(random() * 20000);
        while (text.length < size) text += pieces[Math.floor(random() * pieces.length)];
        const kind = n % 2 ? 'query' : 'document';
        const [p] = prepare(fx, [{ text, kind }], {}, { skiplistWords: [], doQueryExpansion: false });
        const prefix = kind === 'query' ? fx.settings.queryPrefix : fx.settings.documentPrefix;
        const want = cutWhole(fx.tokenizer, prefix, text, kind === 'query' ? fx.settings.queryLength : fx.settings.documentLength);
        expect(Array.from(p!.ids)).toEqual(want.ids);
        expect(Array.from(p!.spans)).toEqual(want.spans);
      }
    }
  });
});

/** The split-mode contract on one document (skiplist empty so that every text token is a kept row). */
function checkSplit(fx: Fixture, text: string, doc: PreparedText, overlap: number): void {
  const tok = fx.tokenizer;
  const { ids: whole, tokens } = tok.tokenize(fx.settings.documentPrefix + text);
  const head = tok.leadingSpecials + tok.documentPrefixIds.length;
  const tail = tok.trailingSpecials;
  const textIds = Array.from(whole.subarray(head, whole.length - tail));
  expect(doc.truncated).toBe(false);
  expect(doc.sequences.length).toBeGreaterThan(1);
  const windows = doc.sequences.map((s) => Array.from(s.ids));
  for (const w of windows) {
    expect(w.length).toBeLessThanOrEqual(fx.settings.documentLength);
    expect(w.slice(0, head)).toEqual(Array.from(whole.subarray(0, head)));
    expect(w.slice(-tail)).toEqual(Array.from(whole.subarray(whole.length - tail)));
  }
  // Consecutive windows share exactly `overlap` text tokens, and together they are the text.
  const capacity = fx.settings.documentLength - head - tail;
  const bodies = windows.map((w) => w.slice(head, w.length - tail));
  const covered = [...bodies[0]!];
  bodies.slice(1).forEach((body, k) => {
    expect(bodies[k]!.length).toBe(capacity);
    if (overlap > 0) expect(body.slice(0, overlap)).toEqual(bodies[k]!.slice(-overlap));
    covered.push(...body.slice(overlap));
  });
  // Compared as strings: deep equality of arrays with 10⁵ elements is slow.
  expect(covered.join()).toBe(textIds.join());
  // Kept rows: [CLS] and prefix once, each text token exactly once in order, [SEP] once.
  expect(doc.ids.join()).toBe(whole.join());
  expect(doc.tokens.join('\u0001')).toBe(tokens.join('\u0001'));
  const rows = doc.sequences.reduce((n, s) => n + s.keepRows.length, 0);
  expect(rows).toBe(whole.length);
  // Spans: the same as the whole document's, never going backwards.
  let last = -1;
  const bad: number[] = [];
  for (let k = 0; k < doc.ids.length; k++) {
    const start = doc.spans[2 * k]!;
    const special = k < head || k >= doc.ids.length - tail;
    if (special ? start !== -1 : start < last || doc.spans[2 * k + 1]! <= start) bad.push(k);
    if (!special) last = start;
  }
  expect(bad).toEqual([]);
}

describe('settings variants (§4.1, §6.5)', () => {
  test('do_query_expansion false: no padding at all', () => {
    const [q] = prepare(bert, [{ text: 'what is colbert?', kind: 'query' }], {}, { doQueryExpansion: false });
    expect(Array.from(q!.ids)).toEqual([101, 1, 2054, 2003, 23928, 1029, 102]);
    expect(Array.from(q!.sequences[0]!.attentionMask)).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(Array.from(q!.sequences[0]!.keepRows)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  test('attend_to_expansion_tokens true: the expansion rows are attended', () => {
    const [q] = prepare(bpe, [{ text: 'what is colbert?', kind: 'query' }], {}, { attendToExpansionTokens: true });
    expect(q!.ids).toHaveLength(32);
    expect(q!.ids.at(-1)).toBe(1988);
    expect(Array.from(q!.sequences[0]!.attentionMask).every((m) => m === 1)).toBe(true);
    expect(q!.tokens.at(-1)).toBe('[MASK]');
    expect(Array.from(q!.spans.subarray(-2))).toEqual([-1, -1]);
  });

  test('other query_length / document_length: the reference rows, cut earlier', () => {
    for (const [, fx] of both()) {
      const settings = { queryLength: 12, documentLength: 20 };
      const prepared = prepare(fx, fx.entries.map((e) => ({ text: e.text, kind: e.mode })), {}, settings);
      fx.entries.forEach((entry, i) => {
        const length = entry.mode === 'query' ? 12 : 20;
        const real = entry.token_ids.slice(0, entry.n_tokens);
        const want = real.length > length ? [...real.slice(0, length - 1), real.at(-1)!] : real;
        const sequence = prepared[i]!.sequences[0]!;
        const ids = Array.from(sequence.ids);
        expect(ids.slice(0, want.length), `${entry.id}/${entry.mode}`).toEqual(want);
        expect(ids.length).toBe(entry.mode === 'query' ? 12 : want.length);
        expect(prepared[i]!.truncated).toBe(real.length > length);
      });
    }
  });

  test('a length that leaves no room for text is a configuration error', () => {
    expect(() => prepare(bert, [{ text: 'x', kind: 'query' }], {}, { queryLength: 3 })).toThrow(ColbertError);
  });
});

describe('input validation at the boundary', () => {
  const code = (fn: () => unknown): [string | undefined, string | undefined] => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(ColbertError);
      return [(error as ColbertError).code, (error as ColbertError).subject];
    }
    throw new Error('expected a ColbertError');
  };

  test('text must be a string; the error names inputs[i].text (offset by firstIndex)', () => {
    const inputs = [{ text: 'ok', kind: 'query' }, { text: 42, kind: 'document' }] as unknown as PrepareInput[];
    expect(code(() => prepare(bert, inputs))).toEqual([ErrorCode.InvalidInput, 'inputs[1].text']);
    expect(code(() => prepare(bert, inputs, { firstIndex: 256 }))).toEqual([ErrorCode.InvalidInput, 'inputs[257].text']);
    expect(code(() => prepare(bert, [{ kind: 'query' }] as unknown as PrepareInput[]))).toEqual([ErrorCode.InvalidInput, 'inputs[0].text']);
  });

  test('kind must be query or document; inputs must be a list of objects', () => {
    expect(code(() => prepare(bert, [{ text: 'x', kind: 'passage' }] as unknown as PrepareInput[]))).toEqual([ErrorCode.InvalidInput, 'inputs[0].kind']);
    expect(code(() => prepare(bert, [null] as unknown as PrepareInput[]))).toEqual([ErrorCode.InvalidInput, 'inputs[0]']);
    expect(code(() => prepare(bert, 'text' as unknown as PrepareInput[]))).toEqual([ErrorCode.InvalidInput, 'inputs']);
    expect(prepare(bert, [])).toEqual([]);
  });

  test('options are checked', () => {
    const one: PrepareInput[] = [{ text: longText(bert, 5000), kind: 'document' }];
    expect(code(() => prepare(bert, one, { longDocuments: 'drop' as never }))).toEqual([ErrorCode.InvalidInput, 'longDocuments']);
    expect(code(() => prepare(bert, one, { longDocuments: 'split', splitOverlap: 177 }))).toEqual([ErrorCode.InvalidInput, 'splitOverlap']);
    expect(code(() => prepare(bert, one, { longDocuments: 'split', splitOverlap: 1.5 }))).toEqual([ErrorCode.InvalidInput, 'splitOverlap']);
    // Checked even when no document is long enough to split.
    expect(code(() => prepare(bert, [{ text: 'short', kind: 'document' }], { longDocuments: 'split', splitOverlap: -1 }))).toEqual([ErrorCode.InvalidInput, 'splitOverlap']);
  });
});
