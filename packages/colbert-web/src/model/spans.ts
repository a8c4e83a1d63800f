/**
 * Character spans for tokens. @huggingface/tokenizers returns token strings but no offsets, so this module
 * re-derives them: it replays the tokenizer's pipeline (added-token split, normaliser, pre-tokeniser) on the
 * original text while tracking, for every normalised code unit, the UTF-16 range [start, end) of the original
 * text it came from, and then walks the tokenizer's token strings through that stream.
 *
 * It also holds the two pieces the tokenizer borrows to behave like the Rust `tokenizers` library that the
 * reference (pylate-rs) runs: a BertNormalizer and a GPT-2 split pattern. Sharing them keeps the ids and the
 * spans computed from the very same normalised text.
 */

/** BertNormalizer options, as tokenizer.json spells them. */
export interface BertNormalizerOptions {
  readonly clean_text?: boolean;
  readonly handle_chinese_chars?: boolean;
  readonly strip_accents?: boolean | null;
  readonly lowercase?: boolean;
}

// Rust `char::is_whitespace` (Unicode White_Space). JS `\s` differs: it has U+FEFF and lacks U+0085.
const RUST_WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/**
 * GPT-2's split pattern with Rust's whitespace class. The library's own pattern uses JS `\s`, which splits
 * texts with U+FEFF or U+0085 differently from the reference (e.g. "\uFEFF's").
 */
export const BYTE_LEVEL_SPLIT = new RegExp(
  `'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${RUST_WS}\\p{L}\\p{N}]+|[${RUST_WS}]+(?![^${RUST_WS}])|[${RUST_WS}]+`,
  'gu',
);

const PUNCT = '\\p{P}\\u0021-\\u002F\\u003A-\\u0040\\u005B-\\u0060\\u007B-\\u007E';
const BERT_SPLIT = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');
const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const MARK = /\p{M}/u;
const NONSPACING_MARKS = /\p{Mn}/gu;
const NON_ASCII = /[^\0-\x7f]/;
const JS_WS = /\s/;

function isRustWhitespace(cp: number): boolean {
  return (
    (cp >= 9 && cp <= 13) || cp === 32 || cp === 0x85 || cp === 0xa0 || cp === 0x1680 || (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000
  );
}

// The Rust library's ranges: unlike the JS library it also spaces astral ideographs (U+20000…), and it
// starts the extension-E block at U+2B920 (checked against the Rust library).
function isChineseChar(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

/** A normaliser that can report where each output code unit came from. */
export interface OffsetNormalizer {
  /** Normalises a whole string (what the tokenizer applies to a section). */
  normalize(text: string): string;
  /**
   * Normalises input[from, to). `starts[i]`/`ends[i]` give the original UTF-16 range behind output code unit i:
   * a base character and the combining marks after it normalise together, so they share one range.
   */
  normalizeWithOffsets(input: string, from: number, to: number): NormalizedText;
}

/** Output of {@link OffsetNormalizer.normalizeWithOffsets}. */
export interface NormalizedText {
  readonly text: string;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/**
 * The Rust `tokenizers` BertNormalizer: drop NUL, U+FFFD and control/format/private/surrogate characters,
 * map whitespace to a space, space out CJK ideographs, strip accents (NFD, drop Mn) and lowercase each code
 * point on its own. Lowercasing per code point matters: JS `toLowerCase` on a whole string turns a final
 * capital sigma into "ς", Rust gives "σ".
 *
 * @example
 * bertNormalizer({ clean_text: true, handle_chinese_chars: true, lowercase: true }).normalize('ΟΔΟΣ Café') // 'οδοσ cafe'
 */
export function bertNormalizer(options: BertNormalizerOptions): OffsetNormalizer {
  const clean = options.clean_text ?? true;
  const chinese = options.handle_chinese_chars ?? true;
  const lowercase = options.lowercase ?? true;
  const strip = options.strip_accents ?? lowercase;
  const normalize = (text: string): string => {
    let out = '';
    for (const ch of text) {
      const cp = ch.codePointAt(0)!;
      if (clean) {
        if (cp === 0 || cp === 0xfffd || (cp !== 9 && cp !== 10 && cp !== 13 && (cp < 0x20 || (cp >= 0x7f && CONTROL.test(ch))))) continue;
        if (isRustWhitespace(cp)) {
          out += ' ';
          continue;
        }
      }
      out += chinese && isChineseChar(cp) ? ` ${ch} ` : ch;
    }
    // Rust strips accents before lowercasing.
    if (strip) out = out.normalize('NFD').replace(NONSPACING_MARKS, '');
    if (lowercase) out = NON_ASCII.test(out) ? lowerEachCodePoint(out) : out.toLowerCase();
    return out;
  };
  // ASCII without a following mark normalises on its own; -1 drops it.
  const ascii = (c: number): number => {
    if (clean) {
      if (c === 9 || c === 10 || c === 13 || c === 32) return 32;
      if (c === 0 || c < 0x20 || c === 0x7f) return -1;
    }
    return lowercase && c >= 65 && c <= 90 ? c + 32 : c;
  };
  return { normalize, normalizeWithOffsets: (input, from, to) => normalizeSegments(input, from, to, normalize, ascii) };
}

function lowerEachCodePoint(text: string): string {
  let out = '';
  for (const ch of text) out += ch.toLowerCase();
  return out;
}

/**
 * Wraps a normalisation function that acts on each base character with its combining marks independently
 * (NFC, NFD, NFKC, NFKD, Lowercase, their sequences). Anything else still works, with coarser spans.
 */
export function segmentNormalizer(normalize: (text: string) => string): OffsetNormalizer {
  return { normalize, normalizeWithOffsets: (input, from, to) => normalizeSegments(input, from, to, normalize, (c) => c) };
}

/** The identity normaliser (tokenizer.json `"normalizer": null`). */
export const IDENTITY_NORMALIZER: OffsetNormalizer = segmentNormalizer((text) => text);

/**
 * Whether `cp` normalises together with the code point before it: combining marks always; a Hangul vowel jamo
 * after a leading consonant jamo, and a trailing consonant jamo after a vowel jamo or an LV syllable (NFC
 * composes those into one syllable).
 */
function joinsPrevious(prev: number, cp: number): boolean {
  if (cp < 0x300) return false;
  if (cp >= 0x1161 && cp <= 0x1175) return prev >= 0x1100 && prev <= 0x1112;
  if (cp >= 0x11a8 && cp <= 0x11c2) return (prev >= 0x1161 && prev <= 0x1175) || (prev >= 0xac00 && prev <= 0xd7a3 && (prev - 0xac00) % 28 === 0);
  return MARK.test(String.fromCodePoint(cp));
}

function isHighSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdbff;
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

class Growable {
  units = new Uint16Array(1024);
  starts = new Int32Array(1024);
  ends = new Int32Array(1024);
  length = 0;

  push(unit: number, start: number, end: number): void {
    if (this.length === this.units.length) {
      const grow = <T extends Uint16Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.units = grow(this.units, (n) => new Uint16Array(n));
      this.starts = grow(this.starts, (n) => new Int32Array(n));
      this.ends = grow(this.ends, (n) => new Int32Array(n));
    }
    this.units[this.length] = unit;
    this.starts[this.length] = start;
    this.ends[this.length] = end;
    this.length++;
  }

  result(): NormalizedText {
    let text = '';
    for (let i = 0; i < this.length; i += 8192) {
      text += String.fromCharCode(...this.units.subarray(i, Math.min(this.length, i + 8192)));
    }
    return { text, starts: this.starts.slice(0, this.length), ends: this.ends.slice(0, this.length) };
  }
}

function normalizeSegments(input: string, from: number, to: number, normalize: (s: string) => string, ascii: (c: number) => number): NormalizedText {
  const out = new Growable();
  let i = from;
  while (i < to) {
    const start = i;
    const first = input.codePointAt(i)!;
    i += first > 0xffff ? 2 : 1;
    for (let prev = first; i < to; ) {
      const cp = input.codePointAt(i)!;
      if (!joinsPrevious(prev, cp)) break;
      i += cp > 0xffff ? 2 : 1;
      prev = cp;
    }
    if (first < 0x80 && i === start + 1) {
      const c = ascii(first);
      if (c >= 0) out.push(c, start, i);
      continue;
    }
    // Lone surrogates pass through as one code unit; the normaliser decides what they become.
    const segment = input.slice(start, i);
    const piece = normalize(segment);
    if (piece === segment) {
      // Unchanged (NFC of a base + mark that do not compose): every code point keeps its own range.
      for (let k = 0; k < piece.length; k++) {
        const pair = k + 1 < piece.length && isHighSurrogate(piece.charCodeAt(k)) && isLowSurrogate(piece.charCodeAt(k + 1));
        const end = start + k + (pair ? 2 : 1);
        out.push(piece.charCodeAt(k), start + k, end);
        if (pair) out.push(piece.charCodeAt(++k), start + k - 1, end);
      }
    } else for (let k = 0; k < piece.length; k++) out.push(piece.charCodeAt(k), start, i);
  }
  return out.result();
}

/** How the tokenizer splits normalised text into words before its model runs. */
export type PreTokenizerKind = 'bert' | 'byte-level' | 'whitespace';

/** An added token as tokenizer.json lists it. */
export interface AddedTokenSpec {
  readonly content: string;
  readonly special?: boolean;
  readonly normalized?: boolean;
  readonly lstrip?: boolean;
  readonly rstrip?: boolean;
}

/** What {@link SpanAligner} needs to know about a tokenizer. */
export interface SpanAlignerSpec {
  readonly normalizer: OffsetNormalizer;
  readonly preTokenizer: PreTokenizerKind;
  /** ByteLevel `add_prefix_space`: each section gets a leading "Ġ" that has no source text. */
  readonly addPrefixSpace?: boolean;
  /** WordPiece continuation prefix ("##"); absent for BPE. */
  readonly continuingSubwordPrefix?: string;
  readonly unkToken?: string;
  readonly addedTokens: readonly AddedTokenSpec[];
}

interface Trie {
  end?: string;
  next: Map<string, Trie>;
}

function buildTrie(words: Iterable<string>): Trie {
  const root: Trie = { next: new Map() };
  for (const word of words) {
    if (word.length === 0) continue;
    let node = root;
    for (const ch of word) {
      for (let k = 0; k < ch.length; k++) {
        const unit = ch[k]!;
        let child = node.next.get(unit);
        if (!child) node.next.set(unit, (child = { next: new Map() }));
        node = child;
      }
    }
    node.end = word;
  }
  return root;
}

/** Leftmost-longest added-token matches in text[from, to), as the library's DictionarySplitter finds them. */
function splitAdded(text: string, from: number, to: number, trie: Trie): Array<[number, number, boolean]> {
  const parts: Array<[number, number, boolean]> = [];
  if (trie.next.size === 0) return from < to ? [[from, to, false]] : parts;
  let start = from;
  let i = from;
  while (i < to) {
    let node: Trie | undefined = trie;
    let match = 0;
    for (let j = i; j < to && (node = node.next.get(text[j]!)); j++) if (node.end !== undefined) match = j + 1 - i;
    if (match > 0) {
      if (i > start) parts.push([start, i, false]);
      parts.push([i, i + match, true]);
      i += match;
      start = i;
    } else i++;
  }
  if (start < to) parts.push([start, to, false]);
  return parts;
}

/** The library trims with JS `trimEnd`/`trimStart` around lstrip/rstrip tokens; mirror its whitespace. */
function applyStrips(text: string, parts: Array<[number, number, boolean]>, added: Map<string, AddedTokenSpec>): void {
  parts.forEach((part, k) => {
    const token = added.get(text.slice(part[0], part[1]));
    if (!token) return;
    const prev = parts[k - 1];
    if (token.lstrip && prev) while (prev[1] > prev[0] && JS_WS.test(text[prev[1] - 1]!)) prev[1]--;
    const next = parts[k + 1];
    if (token.rstrip && next) while (next[0] < next[1] && JS_WS.test(text[next[0]]!)) next[0]++;
  });
}

const BYTE_SYMBOLS: string[] = (() => {
  // GPT-2's reversible byte → printable-character table.
  const symbols = new Array<string>(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    symbols[b] = String.fromCharCode(printable ? b : 256 + shifted++);
  }
  return symbols;
})();

/** Maps a byte-level symbol string back to its bytes (for tests and callers that show BPE tokens). */
export function byteLevelDecode(symbols: string): Uint8Array {
  const bytes: number[] = [];
  for (const ch of symbols) {
    const b = BYTE_SYMBOLS.indexOf(ch);
    if (b >= 0) bytes.push(b);
  }
  return Uint8Array.from(bytes);
}

function pushUtf8(cp: number, out: number[]): void {
  if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // TextEncoder's treatment of a lone surrogate.
  if (cp < 0x80) out.push(cp);
  else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 63));
  else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
  else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63));
}

/**
 * One unit of the replayed pipeline: an added token matched in the text, or a pre-tokenised word whose
 * `surface` is spelled in the model's alphabet (normalised characters, or byte symbols for byte-level BPE).
 */
interface Word {
  readonly added: boolean;
  readonly surface: string;
  /** Original range behind each surface code unit (added tokens: one range in starts[0]/ends[0]). */
  readonly starts: Int32Array;
  readonly ends: Int32Array;
}

/** How far ahead the walk looks for a token it cannot place at the cursor before giving up on it. */
const RESYNC_WORDS = 16;

/**
 * Aligns a tokenizer's token strings with the original text.
 *
 * @example
 * const aligner = new SpanAligner(spec);
 * aligner.align('[unused1]Café', ['[unused1]', 'cafe']); // Int32Array [0, 9, 9, 13]
 */
export class SpanAligner {
  private readonly added = new Map<string, AddedTokenSpec>();
  private readonly rawTrie: Trie;
  private readonly normalizedTrie: Trie;

  constructor(private readonly spec: SpanAlignerSpec) {
    const raw: string[] = [];
    const normalized: string[] = [];
    for (const token of spec.addedTokens) {
      this.added.set(token.content, token);
      // Same rule as the library: a token is matched after normalisation unless it opts out (specials default to raw).
      if (token.normalized ?? !token.special) {
        const content = spec.normalizer.normalize(token.content);
        normalized.push(content);
        this.added.set(content, token);
      } else raw.push(token.content);
    }
    this.rawTrie = buildTrie(raw);
    this.normalizedTrie = buildTrie(normalized);
  }

  /**
   * Spans for `tokens`, the tokens of `input` without the template's special tokens: 2 entries per token,
   * [start, end) in UTF-16 units of `input`, or -1, -1 for a token that could not be placed. Never throws
   * on odd text; the walk resynchronises after a token it cannot place.
   */
  align(input: string, tokens: readonly string[]): Int32Array {
    const spans = new Int32Array(tokens.length * 2).fill(-1);
    const words = this.words(input);
    const prefix = this.spec.continuingSubwordPrefix;
    let w = 0;
    let k = 0;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t]!;
      const place = (index: number, from: number): boolean => {
        const word = words[index];
        if (!word) return false;
        if (word.added) {
          if (token !== word.surface || from !== 0) return false;
          spans[2 * t] = word.starts[0]!;
          spans[2 * t + 1] = word.ends[0]!;
          w = index + 1;
          k = 0;
          return true;
        }
        let piece = token;
        if (token === this.spec.unkToken && !word.surface.startsWith(token, from)) {
          // The model gives one [UNK] for a word it cannot spell: the whole (rest of the) word.
          piece = word.surface.slice(from);
        } else if (from > 0 && prefix && token.startsWith(prefix) && token.length > prefix.length) {
          piece = token.slice(prefix.length);
        }
        if (piece.length === 0 || !word.surface.startsWith(piece, from)) return false;
        const last = from + piece.length - 1;
        const start = word.starts[from]!;
        const end = word.ends[last]!;
        // A piece made only of synthetic symbols (add_prefix_space's "Ġ") has no source text.
        if (end > start) {
          spans[2 * t] = start;
          spans[2 * t + 1] = end;
        }
        k = last + 1;
        if (k >= word.surface.length) {
          w = index + 1;
          k = 0;
        }
        return true;
      };
      if (place(w, k)) continue;
      for (let ahead = w + 1; ahead < Math.min(words.length, w + RESYNC_WORDS); ahead++) {
        if (place(ahead, 0)) break;
      }
    }
    return spans;
  }

  /** Replays the library's encode_text on `input`, keeping offsets. */
  private words(input: string): Word[] {
    const words: Word[] = [];
    const sections = splitAdded(input, 0, input.length, this.rawTrie);
    applyStrips(input, sections, this.added);
    for (const [from, to, isAdded] of sections) {
      if (from >= to) continue;
      if (isAdded || this.added.has(input.slice(from, to))) {
        words.push(addedWord(input.slice(from, to), from, to));
        continue;
      }
      const norm = this.spec.normalizer.normalizeWithOffsets(input, from, to);
      const parts = splitAdded(norm.text, 0, norm.text.length, this.normalizedTrie);
      applyStrips(norm.text, parts, this.added);
      for (const [a, b, partAdded] of parts) {
        if (a >= b) continue;
        if (partAdded || this.added.has(norm.text.slice(a, b))) {
          words.push(addedWord(norm.text.slice(a, b), norm.starts[a]!, norm.ends[b - 1]!));
        } else this.preTokenize(norm, a, b, words);
      }
    }
    return words;
  }

  private preTokenize(norm: NormalizedText, from: number, to: number, words: Word[]): void {
    const text = norm.text.slice(from, to);
    if (this.spec.preTokenizer === 'byte-level') {
      if (this.spec.addPrefixSpace && !text.startsWith(' ')) {
        // The library prepends a space per section; give it an empty range so it has no source text.
        words.push(...this.byteWords(' ' + text, (i) => (i === 0 ? -1 : from + i - 1), norm));
      } else words.push(...this.byteWords(text, (i) => from + i, norm));
      return;
    }
    const pattern = this.spec.preTokenizer === 'bert' ? BERT_SPLIT : /\S+/gu;
    for (const m of text.matchAll(new RegExp(pattern.source, pattern.flags))) {
      const a = from + m.index;
      const b = a + m[0].length;
      words.push({ added: false, surface: m[0], starts: norm.starts.subarray(a, b), ends: norm.ends.subarray(a, b) });
    }
  }

  private byteWords(text: string, unitIndex: (i: number) => number, norm: NormalizedText): Word[] {
    const words: Word[] = [];
    for (const m of text.matchAll(new RegExp(BYTE_LEVEL_SPLIT.source, BYTE_LEVEL_SPLIT.flags))) {
      let surface = '';
      const starts: number[] = [];
      const ends: number[] = [];
      const bytes: number[] = [];
      for (let i = m.index; i < m.index + m[0].length; ) {
        const cp = text.codePointAt(i)!;
        const width = cp > 0xffff ? 2 : 1;
        const first = unitIndex(i);
        const last = unitIndex(i + width - 1);
        const start = first < 0 ? (norm.starts[0] ?? 0) : norm.starts[first]!;
        const end = first < 0 ? start : norm.ends[last]!;
        bytes.length = 0;
        pushUtf8(cp, bytes);
        for (const b of bytes) {
          surface += BYTE_SYMBOLS[b]!;
          starts.push(start);
          ends.push(end);
        }
        i += width;
      }
      words.push({ added: false, surface, starts: Int32Array.from(starts), ends: Int32Array.from(ends) });
    }
    return words;
  }
}

function addedWord(content: string, start: number, end: number): Word {
  return { added: true, surface: content, starts: Int32Array.of(start), ends: Int32Array.of(end) };
}
