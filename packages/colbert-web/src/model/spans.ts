/**
 * Character spans for tokens. @huggingface/tokenizers returns token strings but no offsets, so this module
 * re-derives them: it replays the tokenizer's pipeline (added-token split, normaliser, pre-tokeniser) on the
 * original text while tracking where each normalised code unit came from (normalize-offsets.ts), and then
 * walks the tokenizer's token strings through that stream.
 */
import type { NormalizedText, OffsetNormalizer } from './normalize-offsets.js';
import { BERT_SPLIT, BYTE_LEVEL_SPLIT, JS_WS, unitsToString } from './normalize-offsets.js';
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

// GPT-2's reversible byte → printable-character table, as UTF-16 code units.
const BYTE_SYMBOLS: Uint16Array = (() => {
  const symbols = new Uint16Array(256);
  let shifted = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    symbols[b] = printable ? b : 256 + shifted++;
  }
  return symbols;
})();

/**
 * Maps a byte-level symbol string back to its bytes (for tests and callers that show BPE tokens).
 *
 * @example
 * new TextDecoder().decode(byteLevelDecode('ĠcafÃ©')); // ' café'
 */
export function byteLevelDecode(symbols: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < symbols.length; i++) {
    const b = BYTE_SYMBOLS.indexOf(symbols.charCodeAt(i));
    if (b >= 0) bytes.push(b);
  }
  return Uint8Array.from(bytes);
}

/**
 * One unit of the replayed pipeline: an added token matched in the text, or a pre-tokenised word whose
 * `surface` is spelled in the model's alphabet (normalised characters, or byte symbols for byte-level BPE).
 * The original range behind surface code unit i is [starts[base + i], ends[base + i]) of its stream (an
 * added token has one range, at `base`).
 */
interface Word {
  readonly added: boolean;
  readonly surface: string;
  readonly base: number;
}

/** The words of one input and the ranges behind their code units, in shared buffers (a 1 MB text has ~10⁶). */
class Stream {
  readonly words: Word[] = [];
  starts = new Int32Array(4096);
  ends = new Int32Array(4096);
  length = 0;

  /** Reserves n range slots and returns the first. */
  reserve(n: number): number {
    if (this.length + n > this.starts.length) {
      const size = Math.max(2 * this.starts.length, this.length + n);
      const starts = new Int32Array(size);
      const ends = new Int32Array(size);
      starts.set(this.starts.subarray(0, this.length));
      ends.set(this.ends.subarray(0, this.length));
      this.starts = starts;
      this.ends = ends;
    }
    const base = this.length;
    this.length += n;
    return base;
  }

  addAdded(content: string, start: number, end: number): void {
    const base = this.reserve(1);
    this.starts[base] = start;
    this.ends[base] = end;
    this.words.push({ added: true, surface: content, base });
  }

  /** A word spelled like normalised text[a, b): its ranges are the normaliser's. */
  addText(norm: NormalizedText, a: number, b: number): void {
    const base = this.reserve(b - a);
    this.starts.set(norm.starts.subarray(a, b), base);
    this.ends.set(norm.ends.subarray(a, b), base);
    this.words.push({ added: false, surface: norm.text.slice(a, b), base });
  }
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
  private readonly unk: string | undefined;
  private readonly continuation: string | undefined;
  private readonly split: RegExp;
  private readonly byteLevel: boolean;
  /** Scratch for a word's byte symbols. */
  private symbols = new Uint16Array(256);

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
    this.unk = spec.unkToken;
    this.continuation = spec.continuingSubwordPrefix || undefined;
    this.byteLevel = spec.preTokenizer === 'byte-level';
    const pattern = this.byteLevel ? BYTE_LEVEL_SPLIT : spec.preTokenizer === 'bert' ? BERT_SPLIT : /\S+/gu;
    this.split = new RegExp(pattern.source, pattern.flags);
  }

  /**
   * Spans for `tokens`, the tokens of `input` without the template's special tokens: 2 entries per token,
   * [start, end) in UTF-16 units of `input`, or -1, -1 for a token that could not be placed. Never throws
   * on odd text; the walk resynchronises after a token it cannot place.
   */
  align(input: string, tokens: readonly string[]): Int32Array {
    const spans = new Int32Array(tokens.length * 2).fill(-1);
    const stream = this.stream(input);
    const words = stream.words;
    let w = 0;
    let k = 0;
    for (let t = 0; t < tokens.length; t++) {
      const token = tokens[t]!;
      let next = this.place(stream, w, k, token, spans, t);
      for (let ahead = w + 1; next < 0 && ahead < Math.min(words.length, w + RESYNC_WORDS); ahead++) {
        next = this.place(stream, ahead, 0, token, spans, t);
        if (next >= 0) w = ahead;
      }
      if (next < 0) continue;
      // `next` is the offset reached inside word w; a finished word moves the cursor to the next one.
      if (next >= words[w]!.surface.length) {
        w++;
        k = 0;
      } else k = next;
    }
    return spans;
  }

  /** Places `token` at offset `from` of word `index`: writes its span and returns the offset after it, or -1. */
  private place(stream: Stream, index: number, from: number, token: string, spans: Int32Array, t: number): number {
    const word = stream.words[index];
    if (!word) return -1;
    if (word.added) {
      if (token !== word.surface || from !== 0) return -1;
      spans[2 * t] = stream.starts[word.base]!;
      spans[2 * t + 1] = stream.ends[word.base]!;
      return word.surface.length;
    }
    let length = token.length;
    let skip = 0;
    if (token === this.unk && !word.surface.startsWith(token, from)) {
      // The model gives one [UNK] for a word it cannot spell: the whole (rest of the) word.
      length = word.surface.length - from;
    } else {
      if (from > 0 && this.continuation && token.length > this.continuation.length && token.startsWith(this.continuation)) {
        skip = this.continuation.length;
        length -= skip;
      }
      if (!matchesAt(word.surface, from, token, skip, length)) return -1;
    }
    if (length <= 0) return -1;
    const start = stream.starts[word.base + from]!;
    const end = stream.ends[word.base + from + length - 1]!;
    // A piece made only of synthetic symbols (add_prefix_space's "Ġ") has no source text.
    if (end > start) {
      spans[2 * t] = start;
      spans[2 * t + 1] = end;
    }
    return from + length;
  }

  /** Replays the library's encode_text on `input`, keeping offsets. */
  private stream(input: string): Stream {
    const stream = new Stream();
    const sections = splitAdded(input, 0, input.length, this.rawTrie);
    applyStrips(input, sections, this.added);
    for (const [from, to, isAdded] of sections) {
      if (from >= to) continue;
      if (isAdded || this.added.has(input.slice(from, to))) {
        stream.addAdded(input.slice(from, to), from, to);
        continue;
      }
      const norm = this.spec.normalizer.normalizeWithOffsets(input, from, to);
      const parts = splitAdded(norm.text, 0, norm.text.length, this.normalizedTrie);
      applyStrips(norm.text, parts, this.added);
      for (const [a, b, partAdded] of parts) {
        if (a >= b) continue;
        if (partAdded || this.added.has(norm.text.slice(a, b))) {
          stream.addAdded(norm.text.slice(a, b), norm.starts[a]!, norm.ends[b - 1]!);
        } else this.preTokenize(norm, a, b, stream);
      }
    }
    return stream;
  }

  private preTokenize(norm: NormalizedText, from: number, to: number, stream: Stream): void {
    const text = norm.text.slice(from, to);
    this.split.lastIndex = 0;
    if (!this.byteLevel) {
      for (let m = this.split.exec(text); m; m = this.split.exec(text)) stream.addText(norm, from + m.index, from + m.index + m[0].length);
      return;
    }
    // The library prepends a space to each section; it has no source text (an empty range at the section start).
    const synthetic = this.spec.addPrefixSpace === true && !text.startsWith(' ');
    const spaced = synthetic ? ' ' + text : text;
    for (let m = this.split.exec(spaced); m; m = this.split.exec(spaced)) this.addByteWord(norm, from, spaced, m.index, m.index + m[0].length, synthetic, stream);
  }

  /** Adds spaced[a, b) as byte symbols, each symbol carrying the range of the character it encodes. */
  private addByteWord(norm: NormalizedText, from: number, spaced: string, a: number, b: number, synthetic: boolean, stream: Stream): void {
    if (this.symbols.length < 4 * (b - a)) this.symbols = new Uint16Array(4 * (b - a));
    const symbols = this.symbols;
    const base = stream.reserve(4 * (b - a));
    let n = 0;
    for (let i = a; i < b; ) {
      let cp = spaced.codePointAt(i)!;
      const width = cp > 0xffff ? 2 : 1;
      const unit = from + i - (synthetic ? 1 : 0);
      const start = unit < from ? (norm.starts[from] ?? 0) : norm.starts[unit]!;
      const end = unit < from ? start : norm.ends[unit + width - 1]!;
      if (cp >= 0xd800 && cp <= 0xdfff) cp = 0xfffd; // TextEncoder's (and pylate-rs's) lone surrogate.
      const first = n;
      if (cp < 0x80) symbols[n++] = BYTE_SYMBOLS[cp]!;
      else if (cp < 0x800) {
        symbols[n++] = BYTE_SYMBOLS[0xc0 | (cp >> 6)]!;
        symbols[n++] = BYTE_SYMBOLS[0x80 | (cp & 63)]!;
      } else if (cp < 0x10000) {
        symbols[n++] = BYTE_SYMBOLS[0xe0 | (cp >> 12)]!;
        symbols[n++] = BYTE_SYMBOLS[0x80 | ((cp >> 6) & 63)]!;
        symbols[n++] = BYTE_SYMBOLS[0x80 | (cp & 63)]!;
      } else {
        symbols[n++] = BYTE_SYMBOLS[0xf0 | (cp >> 18)]!;
        symbols[n++] = BYTE_SYMBOLS[0x80 | ((cp >> 12) & 63)]!;
        symbols[n++] = BYTE_SYMBOLS[0x80 | ((cp >> 6) & 63)]!;
        symbols[n++] = BYTE_SYMBOLS[0x80 | (cp & 63)]!;
      }
      stream.starts.fill(start, base + first, base + n);
      stream.ends.fill(end, base + first, base + n);
      i += width;
    }
    stream.length = base + n; // give back the unused reservation
    stream.words.push({ added: false, surface: unitsToString(symbols, n), base });
  }
}

function matchesAt(surface: string, from: number, token: string, skip: number, length: number): boolean {
  if (length <= 0 || from + length > surface.length) return false;
  for (let i = 0; i < length; i++) if (surface.charCodeAt(from + i) !== token.charCodeAt(skip + i)) return false;
  return true;
}
