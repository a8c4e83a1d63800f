import { Tokenizer } from '@huggingface/tokenizers';
import { ColbertError, ErrorCode } from '../errors.js';
import type { TokenizerFiles } from './checkpoint.js';
import type { ColbertSettings } from './colbert-settings.js';
import type { BertNormalizerOptions, OffsetNormalizer } from './normalize-offsets.js';
import { BYTE_LEVEL_SPLIT, IDENTITY_NORMALIZER, bertNormalizer, segmentNormalizer } from './normalize-offsets.js';
import type { AddedTokenSpec, PreTokenizerKind } from './spans.js';
import { SpanAligner } from './spans.js';

const FILE = 'tokenizer.json';

/** Token ids and strings of one text, template special tokens included ([CLS] … [SEP]). */
export interface TokenizedText {
  readonly ids: Int32Array;
  readonly tokens: readonly string[];
}

type Json = Record<string, unknown>;

/**
 * The parts of the library's Tokenizer used here. Its published .d.ts re-exports without file extensions,
 * which NodeNext resolution cannot follow, so member types would silently be `any`; this pins them down.
 */
interface LibraryTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: Array<number | undefined>; tokens: string[] };
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
  normalizer: { normalize(text: string): string } | null;
  pre_tokenizer: { pattern?: RegExp; use_regex?: boolean; add_prefix_space?: boolean } | null;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function corrupt(message: string, cause?: unknown): ColbertError {
  return new ColbertError(ErrorCode.ModelFileCorrupt, `${FILE}: ${message}`, { subject: FILE, ...(cause === undefined ? {} : { cause }) });
}

function unsupported(message: string, cause?: unknown): ColbertError {
  return new ColbertError(ErrorCode.ModelUnsupported, `${FILE}: ${message}`, { subject: FILE, ...(cause === undefined ? {} : { cause }) });
}

/** A token name from special_tokens_map.json / tokenizer_config.json: a string or an AddedToken object. */
function tokenName(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (isObject(value) && typeof value['content'] === 'string') return value['content'];
  return undefined;
}

/**
 * The checkpoint's tokenizer (tokenizer.json through @huggingface/tokenizers, no network), with what the
 * ColBERT preparation needs: template and expansion ids, prefix and skiplist ids, spans and safe cut points.
 *
 * Two corners of the JS library are replaced so that ids match the Rust library the reference runs:
 * BertNormalizer (the JS one lowercases a final capital sigma to "ς" and does not space astral CJK
 * ideographs) and the byte-level split pattern (the JS one treats U+FEFF as whitespace and U+0085 not).
 */
export class ColbertTokenizer {
  /** Id the template puts first ([CLS]). */
  readonly clsId: number;
  /** Id the template puts last ([SEP]). */
  readonly sepId: number;
  /**
   * Id for padding rows of a document batch. pylate-rs pads with id 0 whatever the tokenizer files say
   * (README §4.2, §6.4); padding rows are masked and dropped, so this only makes batch files comparable.
   */
  readonly padId = 0;
  /**
   * Query expansion token, README §4.1: special_tokens_map.json `mask_token` if it is a plain string, else the
   * literal "[MASK]". Undefined when the vocabulary lacks it (then only queries without expansion work).
   */
  readonly maskId: number | undefined;
  readonly maskToken: string;
  /** Number of special tokens the template adds before / after the text (1 and 1 for [CLS] A [SEP]). */
  readonly leadingSpecials: number;
  readonly trailingSpecials: number;
  /** Ids of the settings' query / document prefix, tokenized alone. */
  readonly queryPrefixIds: Int32Array;
  readonly documentPrefixIds: Int32Array;
  /** Ids of the settings' skiplist words that are single vocabulary entries. */
  readonly skiplistIds: ReadonlySet<number>;

  private readonly aligner: SpanAligner;
  private readonly normalizer: OffsetNormalizer;
  /** Characters that precede whitespace inside an added token ("]" of "[Q] "): no safe cut right after them. */
  private readonly boundChars = new Set<string>();
  private readonly prefixCache = new Map<string, Int32Array>();

  private constructor(
    private readonly tokenizer: LibraryTokenizer,
    files: TokenizerFiles,
    settings: Pick<ColbertSettings, 'queryPrefix' | 'documentPrefix' | 'skiplistWords'>,
  ) {
    const json = files.tokenizerJson;
    const { normalizer, preTokenizer, addPrefixSpace } = this.installRustCompatibility(json);
    this.normalizer = normalizer;
    const model = json['model'] as Json;
    const addedTokens = ((json['added_tokens'] ?? []) as AddedTokenSpec[]).map((t) => ({ ...t }));
    this.aligner = new SpanAligner({
      normalizer,
      preTokenizer,
      addPrefixSpace,
      ...(model['type'] === 'WordPiece' || (model['type'] === undefined && !('merges' in model))
        ? { continuingSubwordPrefix: typeof model['continuing_subword_prefix'] === 'string' ? model['continuing_subword_prefix'] : '##' }
        : {}),
      ...(typeof model['unk_token'] === 'string' ? { unkToken: model['unk_token'] } : {}),
      addedTokens,
    });
    for (const { content } of addedTokens) {
      for (const form of [content, normalizer.normalize(content)]) {
        for (let i = 1; i < form.length; i++) if (/\s/.test(form[i]!) && !/\s/.test(form[i - 1]!)) this.boundChars.add(form[i - 1]!);
      }
    }

    const probe = tokenizer.encode('a');
    const bare = tokenizer.encode('a', { add_special_tokens: false });
    const at = probe.ids.findIndex((_, i) => bare.ids.every((id, j) => probe.ids[i + j] === id));
    this.leadingSpecials = bare.ids.length > 0 && at >= 0 ? at : 0;
    this.trailingSpecials = probe.ids.length - bare.ids.length - this.leadingSpecials;
    if (this.leadingSpecials < 1 || this.trailingSpecials < 1) {
      throw unsupported('its post_processor must add a special token before and after the text ([CLS] … [SEP]), as ColBERT models expect.');
    }
    this.clsId = probe.ids[0]!;
    this.sepId = probe.ids[probe.ids.length - 1]!;

    this.maskToken = typeof files.specialTokensMap['mask_token'] === 'string' ? files.specialTokensMap['mask_token'] : '[MASK]';
    this.maskId = tokenizer.token_to_id(this.maskToken);
    this.queryPrefixIds = this.prefixIds(settings.queryPrefix);
    this.documentPrefixIds = this.prefixIds(settings.documentPrefix);
    this.skiplistIds = this.skiplist(settings.skiplistWords);
  }

  /**
   * Builds the tokenizer from the checkpoint's parsed tokenizer files.
   *
   * @example
   * const tokenizer = ColbertTokenizer.fromFiles(checkpoint.tokenizer, checkpoint.settings);
   * tokenizer.tokenize('[unused0]what is colbert?').ids; // Int32Array [101, 1, 2054, …, 102]
   */
  static fromFiles(files: TokenizerFiles, settings: Pick<ColbertSettings, 'queryPrefix' | 'documentPrefix' | 'skiplistWords'>): ColbertTokenizer {
    const json = files.tokenizerJson;
    if (!isObject(json)) throw corrupt('must hold a JSON object.');
    const model = json['model'];
    if (!isObject(model)) throw corrupt('has no "model" object.');
    if (model['type'] !== undefined && typeof model['type'] !== 'string') throw corrupt('"model.type" must be a string.');
    if (!isObject(model['vocab']) && !Array.isArray(model['vocab'])) throw corrupt('"model.vocab" is missing or not a vocabulary.');
    const type = (model['type'] as string | undefined) ?? (Array.isArray(model['vocab']) ? 'Unigram' : 'WordPiece');
    if (!['WordPiece', 'BPE', 'Unigram'].includes(type)) throw unsupported(`model type ${type} is not supported (supported: WordPiece, BPE, Unigram).`);
    if (type === 'BPE' && !Array.isArray(model['merges'])) throw corrupt('a BPE model needs a "merges" list.');
    const added = json['added_tokens'] ?? [];
    if (!Array.isArray(added) || !added.every((t) => isObject(t) && typeof t['content'] === 'string' && Number.isSafeInteger(t['id']))) {
      throw corrupt('"added_tokens" must be a list of { id, content } objects.');
    }
    // The library requires these keys to exist; null means "none" in tokenizer.json.
    const complete: Json = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, ...json, added_tokens: added };
    let tokenizer: LibraryTokenizer;
    try {
      tokenizer = new Tokenizer(complete, isObject(files.tokenizerConfig) ? files.tokenizerConfig : {}) as unknown as LibraryTokenizer;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/^Unknown /.test(message)) throw unsupported(`${message}.`, error);
      throw corrupt(`could not be read (${message}).`, error);
    }
    return new ColbertTokenizer(tokenizer, files, settings);
  }

  /** Token ids and strings of `text` with the template's special tokens. */
  tokenize(text: string): TokenizedText {
    const encoding = this.tokenizer.encode(text);
    const ids = new Int32Array(encoding.ids.length);
    encoding.ids.forEach((id, i) => {
      if (typeof id !== 'number') throw unsupported(`token ${JSON.stringify(encoding.tokens[i])} has no id in the vocabulary.`);
      ids[i] = id;
    });
    return { ids, tokens: encoding.tokens };
  }

  /**
   * [start, end) UTF-16 offsets into `input` for `tokens`, the tokens of `input` without the template's
   * special tokens (2 entries per token; -1, -1 where a token has no place in the text).
   */
  spans(input: string, tokens: readonly string[]): Int32Array {
    return this.aligner.align(input, tokens);
  }

  /** The ids a prefix string tokenizes to on its own ("[unused0]" → [1]; "[Q] " → [2048]). Cached. */
  prefixIds(prefix: string): Int32Array {
    let ids = this.prefixCache.get(prefix);
    if (!ids) {
      ids = Int32Array.from(this.tokenizer.encode(prefix, { add_special_tokens: false }).ids);
      this.prefixCache.set(prefix, ids);
    }
    return ids;
  }

  /** Ids of the skiplist words that are vocabulary entries (as PyLate's convert_tokens_to_ids sees them). */
  skiplist(words: readonly string[]): Set<number> {
    const ids = new Set<number>();
    for (const word of words) {
      const id = this.tokenizer.token_to_id(word);
      if (id !== undefined) ids.add(id);
    }
    return ids;
  }

  /** The vocabulary's spelling of an id. */
  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }

  /** A token's id, added tokens included. */
  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /**
   * The first position c ≥ `from` where `text` can be cut so that the tokens of `anything + text[0, c)` are
   * exactly the first tokens of `anything + text` (before the [SEP]); -1 if there is none. A cut sits
   * before a plain whitespace character that follows a non-space one, so no word, no NFC composition and no
   * whitespace run crosses it, and not right after a character that an added token continues with
   * whitespace (the "]" of "[Q] ").
   */
  safeCut(text: string, from: number): number {
    for (let c = Math.max(1, from); c < text.length; c++) {
      const ch = text.charCodeAt(c);
      if (ch !== 32 && ch !== 9 && ch !== 10 && ch !== 13) continue;
      const before = text[c - 1]!;
      if (/\s/.test(before) || this.boundChars.has(before)) continue;
      const tail = this.normalizer.normalize(text.slice(Math.max(0, c - 16), c));
      const last = tail[tail.length - 1];
      if (last === undefined || /\s/.test(last) || this.boundChars.has(last)) continue;
      return c;
    }
    return -1;
  }

  /** Swaps in Rust-compatible pieces and describes the pipeline for span alignment. */
  private installRustCompatibility(json: Json): { normalizer: OffsetNormalizer; preTokenizer: PreTokenizerKind; addPrefixSpace: boolean } {
    const tok = this.tokenizer;
    let normalizer = IDENTITY_NORMALIZER;
    const libraryNormalizer = tok.normalizer;
    const normalizerConfig = json['normalizer'];
    if (libraryNormalizer && isObject(normalizerConfig) && normalizerConfig['type'] === 'BertNormalizer') {
      normalizer = bertNormalizer(normalizerConfig as BertNormalizerOptions);
      libraryNormalizer.normalize = normalizer.normalize;
    } else if (libraryNormalizer) {
      normalizer = segmentNormalizer((text) => libraryNormalizer.normalize(text));
    }
    const pre = tok.pre_tokenizer;
    const preType = isObject(json['pre_tokenizer']) ? json['pre_tokenizer']['type'] : undefined;
    if (pre && preType === 'ByteLevel') {
      if (pre.use_regex) pre.pattern = new RegExp(BYTE_LEVEL_SPLIT.source, BYTE_LEVEL_SPLIT.flags);
      return { normalizer, preTokenizer: 'byte-level', addPrefixSpace: pre.add_prefix_space === true };
    }
    return { normalizer, preTokenizer: preType === 'BertPreTokenizer' ? 'bert' : 'whitespace', addPrefixSpace: false };
  }
}

/**
 * Builds the tokenizer of a checkpoint. Throws `ColbertError` (ModelFileCorrupt or ModelUnsupported, subject
 * "tokenizer.json") for a malformed or unsupported tokenizer.json.
 *
 * @example
 * const tokenizer = createTokenizer(checkpoint.tokenizer, checkpoint.settings);
 */
export function createTokenizer(files: TokenizerFiles, settings: Pick<ColbertSettings, 'queryPrefix' | 'documentPrefix' | 'skiplistWords'>): ColbertTokenizer {
  return ColbertTokenizer.fromFiles(files, settings);
}
