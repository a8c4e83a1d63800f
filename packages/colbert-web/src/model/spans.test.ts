import { beforeAll, describe, expect, test } from 'vitest';
import { loadFixtureTokenizer } from '../testing/golden-fixture.js';
import { prepareTexts } from './colbert-prep.js';
import type { ColbertSettings } from './colbert-settings.js';
import type { PreparedText } from './prepared.js';
import { bertNormalizer, segmentNormalizer } from './normalize-offsets.js';
import { SpanAligner, byteLevelDecode } from './spans.js';
import type { ColbertTokenizer } from './tokenizer.js';

interface Fixture {
  name: string;
  settings: ColbertSettings;
  tokenizer: ColbertTokenizer;
  texts: string[];
  /** How the tokenizer normalises (for checking that a span's text spells its token). */
  normalize: (text: string) => string;
  byteLevel: boolean;
  /** tokenizer.json added tokens: matched in the text as they are spelled. */
  added: Set<string>;
}

async function loadFixture(name: string, byteLevel: boolean): Promise<Fixture> {
  const { settings, files, tokenizer, texts } = await loadFixtureTokenizer(name);
  const normalize = byteLevel ? (t: string) => t.normalize('NFC') : bertNormalizer(files.tokenizerJson['normalizer'] as object).normalize;
  const added = new Set((files.tokenizerJson['added_tokens'] as Array<{ content: string }>).map((t) => t.content));
  return { name, settings, tokenizer, texts, normalize, byteLevel, added };
}

let bert: Fixture;
let bpe: Fixture;

beforeAll(async () => {
  [bert, bpe] = await Promise.all([loadFixture('colbert-tiny-golden', false), loadFixture('modernbert-tiny-golden', true)]);
});

const utf8 = new TextEncoder();

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * The span checks of the brief, on one prepared (single-sequence) text: special rows are -1; every text row's
 * span, normalised like the tokenizer does, spells the token (WordPiece without "##"; byte-level decoded to
 * bytes); spans never go backwards. Returns the number of text rows checked.
 */
function checkSpans(fx: Fixture, text: string, prepared: PreparedText): number {
  const tok = fx.tokenizer;
  const sequence = prepared.sequences[0]!;
  const prefix = prepared.kind === 'query' ? tok.queryPrefixIds : tok.documentPrefixIds;
  const head = tok.leadingSpecials + prefix.length;
  const textEnd = (prepared.kind === 'query' ? realLength(tok, sequence.ids, head) : sequence.ids.length) - tok.trailingSpecials;
  // §6.4: when the text starts with an lstrip token ("[D] " + "[MASK]…") the prefix loses its space and is
  // tokenized as "[", "D", "]": those rows are the prefix's, not the text's.
  const prefixBroken = sequence.ids[tok.leadingSpecials] !== prefix[0];
  let checked = 0;
  let lastStart = -1;
  sequence.keepRows.forEach((row, k) => {
    const [start, end] = [prepared.spans[2 * k]!, prepared.spans[2 * k + 1]!];
    const token = prepared.tokens[k]!;
    if (row < head || row >= textEnd || (prefixBroken && start < 0 && lastStart < 0)) {
      expect([start, end], `${token} (row ${row}) of ${JSON.stringify(text)}`).toEqual([-1, -1]);
      return;
    }
    expect(start, `${token} (row ${row}) of ${JSON.stringify(text)} is aligned`).toBeGreaterThanOrEqual(0);
    expect(start).toBeGreaterThanOrEqual(lastStart);
    expect(end).toBeGreaterThan(start);
    expect(end).toBeLessThanOrEqual(text.length);
    lastStart = start;
    checked++;
    const source = text.slice(start, end);
    if (fx.added.has(token) && fx.normalize(source) === fx.normalize(token)) {
      // A literal added token ([MASK], "[Q] ", a run of spaces) in the text.
    } else if (fx.byteLevel) {
      expect(containsBytes(utf8.encode(fx.normalize(source)), byteLevelDecode(token)), `${token} in ${JSON.stringify(source)}`).toBe(true);
    } else if (token === '[UNK]') {
      expect(fx.normalize(source).trim().length, `[UNK] covers a word in ${JSON.stringify(text)}`).toBeGreaterThan(0);
    } else {
      const piece = token.startsWith('##') && token.length > 2 ? token.slice(2) : token;
      expect(fx.normalize(source), `${token} in ${JSON.stringify(text)}`).toContain(piece);
    }
  });
  return checked;
}

/** Rows before the [MASK] expansion ([SEP] comes before it, so a literal [MASK] in the text is not taken for expansion). */
function realLength(tok: ColbertTokenizer, ids: Int32Array, head: number): number {
  let end = ids.length;
  while (end > head + tok.trailingSpecials && ids[end - 1] === tok.maskId) end--;
  return end;
}

describe('fixture texts: spans spell their tokens', () => {
  for (const [name, get] of [
    ['BERT', () => bert],
    ['ModernBERT', () => bpe],
  ] as const) {
    test(`${name}: every kept text token of every fixture text, as query and as document`, () => {
      const fx = get();
      let checked = 0;
      for (const kind of ['query', 'document'] as const) {
        const prepared = prepareTexts(fx.tokenizer, fx.settings, fx.texts.map((text) => ({ text, kind })));
        prepared.forEach((p, i) => (checked += checkSpans(fx, fx.texts[i]!, p)));
      }
      expect(checked).toBeGreaterThan(1000);
    });
  }
});

/** [token, span text] pairs of a document's text rows. */
function pairs(fx: Fixture, text: string): Array<[string, string]> {
  const [p] = prepareTexts(fx.tokenizer, { ...fx.settings, skiplistWords: [] }, [{ text, kind: 'document' }]);
  checkSpans(fx, text, p!);
  const out: Array<[string, string]> = [];
  p!.tokens.forEach((token, k) => {
    const start = p!.spans[2 * k]!;
    if (start >= 0) out.push([token, text.slice(start, p!.spans[2 * k + 1])]);
  });
  return out;
}

describe('hand-written cases, BERT WordPiece', () => {
  // Where not said otherwise the spans equal the Rust library's offsets for the same tokens.
  test('accents: precomposed, and decomposed (the span keeps the dropped combining mark)', () => {
    expect(pairs(bert, 'Café Ñandú')).toEqual([['cafe', 'Café'], ['nan', 'Ñan'], ['##du', 'dú']]);
    // Rust stops "cafe" before U+0301; including the mark highlights the whole visible letter.
    expect(pairs(bert, 'Cafe\u0301 au lait')[0]).toEqual(['cafe', 'Cafe\u0301']);
  });

  test('CJK ideographs are words of their own; kana are not ideographs', () => {
    expect(pairs(bert, '東京の天気は晴れ')).toEqual([['東', '東'], ['京', '京'], ['の', 'の'], ['天', '天'], ['[UNK]', '気'], ['は', 'は'], ['[UNK]', '晴'], ['れ', 'れ']]);
  });

  test('control characters and a zero-width space inside a word join its pieces', () => {
    expect(pairs(bert, 'foo\u200bbar and ab\u0007cd')).toEqual([['foo', 'foo'], ['##bar', 'bar'], ['and', 'and'], ['abc', 'ab\u0007c'], ['##d', 'd']]);
    expect(pairs(bert, 'soft\u00adhyphen')).toEqual([['soft', 'soft'], ['##hy', 'hy'], ['##ph', 'ph'], ['##en', 'en']]);
  });

  test('emoji and [UNK] words cover the whole word', () => {
    // Rust ends the heart before its variation selector U+FE0F (a mark); the span keeps it.
    expect(pairs(bert, 'I ❤️ 🥰 pizza')).toEqual([['i', 'I'], ['[UNK]', '❤\ufe0f'], ['[UNK]', '🥰'], ['pizza', 'pizza']]);
    expect(pairs(bert, 'xyzzyqwv 𝔘𝔫𝔦 ok').slice(-2)).toEqual([['[UNK]', '𝔘𝔫𝔦'], ['ok', 'ok']]);
    expect(pairs(bert, '𠀀ab')).toEqual([['[UNK]', '𠀀'], ['ab', 'ab']]);
  });

  test('literal special tokens in the text, tabs and newlines', () => {
    expect(pairs(bert, 'Paris is the [MASK] of France')).toEqual([['paris', 'Paris'], ['is', 'is'], ['the', 'the'], ['[MASK]', '[MASK]'], ['of', 'of'], ['france', 'France']]);
    expect(pairs(bert, 'x[SEP]y[UNK]')).toEqual([['x', 'x'], ['[SEP]', '[SEP]'], ['y', 'y'], ['[UNK]', '[UNK]']]);
    expect(pairs(bert, 'tab\tand\nnew\r\nline')).toEqual([['tab', 'tab'], ['and', 'and'], ['new', 'new'], ['line', 'line']]);
  });

  test('capital sigma and dotted capital I', () => {
    expect(pairs(bert, 'ΟΔΟΣ İstanbul')).toEqual([['ο', 'Ο'], ['##δ', 'Δ'], ['##ο', 'Ο'], ['##σ', 'Σ'], ['istanbul', 'İstanbul']]);
  });
});

describe('hand-written cases, byte-level BPE', () => {
  test('accents: bytes of one character share its span', () => {
    expect(pairs(bpe, 'Café Ñandú')).toEqual([
      ['C', 'C'], ['af', 'af'], ['Ã', 'é'], ['©', 'é'], ['Ġ', ' '], ['Ã', 'Ñ'], ['ĳ', 'Ñ'], ['and', 'and'], ['Ã', 'ú'], ['º', 'ú'],
    ]);
    // NFC composes e + U+0301 into é: both bytes of é map to the two source characters.
    expect(pairs(bpe, 'Cafe\u0301').slice(-2)).toEqual([['Ã', 'e\u0301'], ['©', 'e\u0301']]);
  });

  test('CJK, emoji, zero-width space and control characters', () => {
    expect(pairs(bpe, '東京').map(([, s]) => s)).toEqual(['東', '東', '東', '京', '京', '京']);
    expect(pairs(bpe, 'foo\u200bbar ab\u0007cd')).toEqual([
      ['f', 'f'], ['o', 'o'], ['o', 'o'], ['âĢ', '\u200b'], ['ĭ', '\u200b'], ['b', 'b'], ['ar', 'ar'], ['Ġab', ' ab'], ['ć', '\u0007'], ['c', 'c'], ['d', 'd'],
    ]);
    expect(pairs(bpe, 'I 🥰').slice(-4).map(([, s]) => s)).toEqual(['🥰', '🥰', '🥰', '🥰']);
  });

  test('literal [MASK] (lstrip) and added tokens inside the text; runs of spaces', () => {
    const got = pairs(bpe, 'Paris is the [MASK] of France');
    expect(got.slice(4, 7)).toEqual([['Ġthe', ' the'], ['[MASK]', '[MASK]'], ['Ġof', ' of']]);
    expect(pairs(bpe, 'a    b')).toEqual([['a', 'a'], ['    ', '    '], ['b', 'b']]);
    expect(pairs(bpe, 'x [Q] y')).toEqual([['x', 'x'], ['Ġ', ' '], ['[Q] ', '[Q] '], ['y', 'y']]);
  });

  test('tabs and newlines are tokens of their own', () => {
    expect(pairs(bpe, 'tab\tand\nnew\r\nline')).toEqual([
      ['t', 't'], ['ab', 'ab'], ['ĉ', '\t'], ['and', 'and'], ['Ċ', '\n'], ['n', 'n'], ['ew', 'ew'], ['č', '\r'], ['Ċ', '\n'], ['line', 'line'],
    ]);
  });
});

describe('alignment never throws and resynchronises', () => {
  test('tokens that are not in the text get -1, -1 and the walk carries on', () => {
    const spans = bert.tokenizer.spans('hello big world', ['hello', 'zzz', '##q', 'world']);
    expect(Array.from(spans)).toEqual([0, 5, -1, -1, -1, -1, 10, 15]);
    expect(Array.from(bert.tokenizer.spans('', ['a', '[UNK]']))).toEqual([-1, -1, -1, -1]);
    expect(Array.from(bpe.tokenizer.spans('abc', ['[MASK]', 'abc']))).toEqual([-1, -1, 0, 3]);
  });

  test('random text with lone surrogates, controls, marks and specials', () => {
    let seed = 99;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pieces = ['\ud800', '\udfff', '\u0000', '\u0301', 'a', 'Σ', ' ', '\t', '[MASK]', '[unused0]', '[Q] ', '😀', '中', '\u200b', '\uffff', 'İ', '\u1161', '\u11a8', '\u1100'];
    for (const fx of [bert, bpe]) {
      for (let n = 0; n < 500; n++) {
        let text = '';
        for (let i = 0; i < 12; i++) text += pieces[Math.floor(random() * pieces.length)];
        const [doc] = prepareTexts(fx.tokenizer, fx.settings, [{ text, kind: 'document' }]);
        checkSpans(fx, text, doc!);
        // Tokens from another text must not throw either.
        const other = fx.tokenizer.tokenize(text.split('').reverse().join('')).tokens.slice(1, -1);
        expect(() => fx.tokenizer.spans(text, other)).not.toThrow();
      }
    }
  });
});

describe('normalisation with offsets', () => {
  test('BertNormalizer maps each output unit back to its source', () => {
    const n = bertNormalizer({ clean_text: true, handle_chinese_chars: true, lowercase: true, strip_accents: null });
    const input = 'Ée\u0301\u0000中\t';
    const out = n.normalizeWithOffsets(input, 0, input.length);
    expect(out.text).toBe('ee 中  ');
    expect(Array.from(out.starts)).toEqual([0, 1, 4, 4, 4, 5]);
    expect(Array.from(out.ends)).toEqual([1, 3, 5, 5, 5, 6]);
    expect(n.normalize('ΟΔΟΣ\u{20000}x')).toBe('οδοσ \u{20000} x');
  });

  test('segment normalisers keep exact ranges where nothing changes', () => {
    const nfc = segmentNormalizer((t) => t.normalize('NFC'));
    const input = 'ae\u0301क्😀\u1100\u1161';
    const out = nfc.normalizeWithOffsets(input, 0, input.length);
    expect(out.text).toBe('aéक्😀\uac00');
    expect(Array.from(out.starts)).toEqual([0, 1, 3, 4, 5, 5, 7]);
    expect(Array.from(out.ends)).toEqual([1, 3, 4, 5, 7, 7, 9]);
  });

  test('byteLevelDecode inverts the byte symbols', () => {
    expect(new TextDecoder().decode(byteLevelDecode('ĠcafÃ©'))).toBe(' café');
  });

  test('an aligner for a tokenizer without normaliser or added tokens', () => {
    const aligner = new SpanAligner({ normalizer: segmentNormalizer((t) => t), preTokenizer: 'whitespace', continuingSubwordPrefix: '##', addedTokens: [] });
    expect(Array.from(aligner.align('New  York', ['New', 'Yo', '##rk']))).toEqual([0, 3, 5, 7, 7, 9]);
  });
});
