import { ColbertError, ErrorCode } from '../errors.js';
import type { ColbertSettings } from './colbert-settings.js';
import type { LongDocumentMode, PreparedText, Sequence, TextKind } from './prepared.js';
import type { ColbertTokenizer } from './tokenizer.js';

/** One text to prepare. */
export interface PrepareInput {
  readonly text: string;
  readonly kind: TextKind;
}

/** Options of {@link prepareTexts}. */
export interface PrepareOptions {
  /** What to do with documents longer than document_length: cut them (PyLate) or split them into windows. Default 'truncate'. */
  readonly longDocuments?: LongDocumentMode;
  /**
   * Text tokens shared by consecutive windows in 'split' mode. Default: a quarter of a window's text tokens
   * (rounded down), enough that every token near a cut still sees context on both sides in one of the windows.
   */
  readonly splitOverlap?: number;
  /** Index of inputs[0] in the caller's list, so errors name the caller's index. Default 0. */
  readonly firstIndex?: number;
}

/**
 * Turns texts into model inputs exactly as PyLate does (README §4.2 step 3, §4.6):
 * - the input string is prefix + text; it is truncated to query_length / document_length tokens counting
 *   [CLS], the prefix and [SEP] (text tokens are cut from the right, [SEP] stays);
 * - queries are padded with the expansion token ([MASK]) to query_length, attention 0 on those rows
 *   (1 when attend_to_expansion_tokens), or not padded at all when do_query_expansion is false; every row
 *   is kept;
 * - documents keep every row except skiplist tokens; padding documents to a batch is the encoder's job.
 *
 * In 'split' mode a long document becomes overlapping windows, each [CLS] prefix <text tokens> [SEP] of at
 * most document_length tokens. Each text token is kept once, from the window where it sits farther from a
 * cut (the overlap is shared at its middle); the first window keeps [CLS] and the prefix and the last keeps
 * [SEP], so the matrix has the rows an untruncated document would have.
 *
 * @example
 * const [query] = prepareTexts(tokenizer, checkpoint.settings, [{ text: 'what is colbert?', kind: 'query' }]);
 * query.sequences[0].ids.length; // settings.queryLength
 */
export function prepareTexts(
  tokenizer: ColbertTokenizer,
  settings: ColbertSettings,
  inputs: readonly PrepareInput[],
  options: PrepareOptions = {},
): PreparedText[] {
  if (!Array.isArray(inputs)) throw invalid('inputs', 'inputs must be an array of { text, kind }.');
  const mode = options.longDocuments ?? 'truncate';
  if (mode !== 'truncate' && mode !== 'split') throw invalid('longDocuments', `longDocuments must be 'truncate' or 'split' (got ${describe(mode)}).`);
  const firstIndex = options.firstIndex ?? 0;
  inputs.forEach((input: unknown, i) => {
    const name = `inputs[${firstIndex + i}]`;
    if (typeof input !== 'object' || input === null) throw invalid(name, `${name} must be an object { text, kind }.`);
    const { text, kind } = input as Record<string, unknown>;
    if (typeof text !== 'string') throw invalid(`${name}.text`, `${name}.text must be a string (got ${describe(text)}).`);
    if (kind !== 'query' && kind !== 'document') throw invalid(`${name}.kind`, `${name}.kind must be 'query' or 'document' (got ${describe(kind)}).`);
  });
  const prep = new Preparation(tokenizer, settings, options.splitOverlap);
  return inputs.map(({ text, kind }) => (kind === 'query' ? prep.query(text) : mode === 'split' ? prep.splitDocument(text) : prep.truncatedDocument(text)));
}

function invalid(subject: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, message, { subject });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** Tokens of prefix + text, possibly cut, with spans relative to the text. */
interface Tokens {
  readonly ids: Int32Array;
  readonly tokens: readonly string[];
  /** 2 per token, relative to the text; -1 for template tokens and the prefix. */
  readonly spans: Int32Array;
  readonly truncated: boolean;
}

class Preparation {
  private readonly skiplist: Set<number>;
  /** Text tokens per split window, and how many consecutive windows share. */
  private readonly capacity: number;
  private readonly overlap: number;

  constructor(
    private readonly tokenizer: ColbertTokenizer,
    private readonly settings: ColbertSettings,
    splitOverlap: number | undefined,
  ) {
    this.skiplist = tokenizer.skiplist(settings.skiplistWords);
    const minimum = tokenizer.leadingSpecials + tokenizer.trailingSpecials + 1;
    for (const [field, prefix, length] of [
      ['query_length', settings.queryPrefix, settings.queryLength],
      ['document_length', settings.documentPrefix, settings.documentLength],
    ] as const) {
      if (!Number.isSafeInteger(length) || length < minimum + tokenizer.prefixIds(prefix).length) {
        throw new ColbertError(
          ErrorCode.ModelUnsupported,
          `config_sentence_transformers.json: ${field} (${String(length)}) leaves no room for text after [CLS], the prefix and [SEP].`,
          { subject: `config_sentence_transformers.json:${field}` },
        );
      }
    }
    this.capacity = settings.documentLength - tokenizer.leadingSpecials - tokenizer.prefixIds(settings.documentPrefix).length - tokenizer.trailingSpecials;
    this.overlap = splitOverlap ?? Math.floor(this.capacity / 4);
    if (!Number.isSafeInteger(this.overlap) || this.overlap < 0 || this.overlap >= this.capacity) {
      throw invalid('splitOverlap', `splitOverlap must be an integer from 0 to ${this.capacity - 1} (text tokens per window minus one); got ${describe(splitOverlap)}.`);
    }
  }

  query(text: string): PreparedText {
    const { queryLength, queryPrefix, doQueryExpansion, attendToExpansionTokens } = this.settings;
    const t = this.truncated(queryPrefix, text, queryLength);
    const n = t.ids.length;
    const length = doQueryExpansion ? queryLength : n;
    const maskId = this.tokenizer.maskId;
    if (length > n && maskId === undefined) {
      throw new ColbertError(
        ErrorCode.ModelUnsupported,
        `The tokenizer has no "${this.tokenizer.maskToken}" token for query expansion; set do_query_expansion to false in config_sentence_transformers.json.`,
        { subject: 'special_tokens_map.json:mask_token' },
      );
    }
    const ids = new Int32Array(length).fill(maskId ?? 0);
    ids.set(t.ids);
    const attentionMask = new Uint8Array(length).fill(attendToExpansionTokens ? 1 : 0);
    attentionMask.fill(1, 0, n);
    const spans = new Int32Array(2 * length).fill(-1);
    spans.set(t.spans);
    const tokens = [...t.tokens, ...new Array<string>(length - n).fill(this.tokenizer.maskToken)];
    const keepRows = Int32Array.from({ length }, (_, i) => i);
    return { kind: 'query', sequences: [{ ids, attentionMask, keepRows }], ids, tokens, spans, truncated: t.truncated };
  }

  truncatedDocument(text: string): PreparedText {
    const { documentPrefix, documentLength } = this.settings;
    return this.document(this.truncated(documentPrefix, text, documentLength));
  }

  private document(t: Tokens): PreparedText {
    const keep: number[] = [];
    for (let i = 0; i < t.ids.length; i++) if (!this.skiplist.has(t.ids[i]!)) keep.push(i);
    const sequence: Sequence = { ids: t.ids, attentionMask: new Uint8Array(t.ids.length).fill(1), keepRows: Int32Array.from(keep) };
    return { kind: 'document', sequences: [sequence], ...gather(t, keep), truncated: t.truncated };
  }

  splitDocument(text: string): PreparedText {
    const { documentPrefix, documentLength } = this.settings;
    const tok = this.tokenizer;
    const full = this.encode(documentPrefix, text);
    if (full.ids.length <= documentLength) return this.document(full);
    // The prefix block is taken from the full encoding, so each window starts exactly as the text did.
    const head = tok.leadingSpecials + tok.prefixIds(documentPrefix).length;
    const tail = tok.trailingSpecials;
    const textCount = full.ids.length - head - tail;
    const capacity = this.capacity;
    const stride = capacity - this.overlap;
    const windows: Array<[number, number]> = [];
    for (let start = 0; ; start += stride) {
      windows.push([start, Math.min(textCount, start + capacity)]);
      if (start + capacity >= textCount) break;
    }
    const sequences: Sequence[] = [];
    const rows: number[] = []; // indices into `full` of kept rows, in output order
    windows.forEach(([a, b], w) => {
      // Shared tokens go to the window where they are farther from the cut: split the overlap at its middle.
      const ownFrom = w === 0 ? a : Math.ceil((a + windows[w - 1]![1]) / 2);
      const ownTo = w === windows.length - 1 ? b : Math.ceil((windows[w + 1]![0] + b) / 2);
      const fullIndex = [
        ...range(0, head),
        ...range(head + a, head + b),
        ...range(full.ids.length - tail, full.ids.length),
      ];
      const ids = Int32Array.from(fullIndex, (i) => full.ids[i]!);
      const keepRows: number[] = [];
      fullIndex.forEach((i, row) => {
        const isHead = i < head;
        const isTail = i >= full.ids.length - tail;
        const owned = isHead ? w === 0 : isTail ? w === windows.length - 1 : i - head >= ownFrom && i - head < ownTo;
        if (owned && !this.skiplist.has(full.ids[i]!)) {
          keepRows.push(row);
          rows.push(i);
        }
      });
      sequences.push({ ids, attentionMask: new Uint8Array(ids.length).fill(1), keepRows: Int32Array.from(keepRows) });
    });
    return { kind: 'document', sequences, ...gather(full, rows), truncated: false };
  }

  /**
   * prefix + text cut to `length` tokens. A long text is not tokenized whole: the tokenizer sees growing
   * prefixes of it that end at a safe cut (see ColbertTokenizer.safeCut), whose tokens are exactly the first
   * tokens of the whole text, until one has more than `length` tokens.
   */
  private truncated(prefix: string, text: string, length: number): Tokens {
    // ~8 UTF-16 units per allowed token covers English at 4-5 per token in one go; growth handles the rest.
    for (let budget = 8 * length + 256; budget < text.length; budget *= 4) {
      const cut = this.tokenizer.safeCut(text, budget);
      if (cut < 0) break;
      const part = this.encode(prefix, text.slice(0, cut));
      if (part.ids.length > length) return this.cut(part, length);
    }
    return this.cut(this.encode(prefix, text), length);
  }

  private cut(t: Tokens, length: number): Tokens {
    if (t.ids.length <= length) return t;
    const tail = this.tokenizer.trailingSpecials;
    const keep = [...range(0, length - tail), ...range(t.ids.length - tail, t.ids.length)];
    return { ...gather(t, keep), truncated: true };
  }

  private encode(prefix: string, text: string): Tokens {
    const tok = this.tokenizer;
    const input = prefix + text;
    const { ids, tokens } = tok.tokenize(input);
    const lead = tok.leadingSpecials;
    const content = tokens.slice(lead, tokens.length - tok.trailingSpecials);
    const aligned = tok.spans(input, content);
    const spans = new Int32Array(2 * ids.length).fill(-1);
    for (let i = 0; i < content.length; i++) {
      // A token that starts in the prefix belongs to it, even when it reaches into the text (a combining mark
      // at the start of the text normalises together with the prefix's last character).
      if (aligned[2 * i]! < prefix.length) continue;
      spans[2 * (lead + i)] = aligned[2 * i]! - prefix.length;
      spans[2 * (lead + i) + 1] = aligned[2 * i + 1]! - prefix.length;
    }
    return { ids, tokens, spans, truncated: false };
  }
}

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(i);
  return out;
}

/** The rows `rows` of a token list. */
function gather(t: Pick<Tokens, 'ids' | 'tokens' | 'spans'>, rows: readonly number[]): { ids: Int32Array; tokens: string[]; spans: Int32Array } {
  const spans = new Int32Array(2 * rows.length);
  rows.forEach((r, k) => {
    spans[2 * k] = t.spans[2 * r]!;
    spans[2 * k + 1] = t.spans[2 * r + 1]!;
  });
  return { ids: Int32Array.from(rows, (r) => t.ids[r]!), tokens: rows.map((r) => t.tokens[r]!), spans };
}
