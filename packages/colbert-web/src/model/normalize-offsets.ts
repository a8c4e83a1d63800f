/**
 * Normalisers that report, for every normalised code unit, the UTF-16 range [start, end) of the original text
 * it came from — the part of span alignment that mirrors the tokenizer's normaliser. They also serve the
 * tokenizer itself, to behave like the Rust `tokenizers` library the reference (pylate-rs) runs: a
 * BertNormalizer and a GPT-2 split pattern. Sharing them keeps ids and spans computed from the same text.
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
export const BERT_SPLIT = new RegExp(`[^\\s${PUNCT}]+|[${PUNCT}]`, 'gu');
const CONTROL = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}]/u;
const MARK = /\p{M}/u;
const NONSPACING_MARKS = /\p{Mn}/gu;
const NON_ASCII = /[^\0-\x7f]/;
export const JS_WS = /\s/;

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
 *
 * @example
 * segmentNormalizer((t) => t.normalize('NFC')).normalizeWithOffsets('e\u0301x', 0, 3); // text 'éx', starts [0, 2], ends [2, 3]
 */
export function segmentNormalizer(normalize: (text: string) => string): OffsetNormalizer {
  return { normalize, normalizeWithOffsets: (input, from, to) => normalizeSegments(input, from, to, normalize, (c) => c) };
}

/** The identity normaliser (tokenizer.json `"normalizer": null`), e.g. `IDENTITY_NORMALIZER.normalize('A') === 'A'`. */
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
    return { text: unitsToString(this.units, this.length), starts: this.starts.subarray(0, this.length), ends: this.ends.subarray(0, this.length) };
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

/** UTF-16 code units to a string, in chunks (spreading a million arguments would overflow the stack). */
export function unitsToString(units: Uint16Array, n: number): string {
  let text = '';
  for (let i = 0; i < n; i += 8192) text += String.fromCharCode(...units.subarray(i, Math.min(n, i + 8192)));
  return text;
}
