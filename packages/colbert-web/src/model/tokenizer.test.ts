import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { ColbertError, ErrorCode } from '../errors.js';
import type { TokenizerFiles } from './checkpoint.js';
import type { ColbertSettings } from './colbert-settings.js';
import { readColbertSettings } from './colbert-settings.js';
import type { ColbertTokenizer } from './tokenizer.js';
import { createTokenizer } from './tokenizer.js';

// The repository sits next to `shared/` (../shared from the repo root), in CI as here.
const fixtures = fileURLToPath(new URL('../../../../../shared/fixtures/', import.meta.url));

interface Fixture {
  files: TokenizerFiles;
  settings: ColbertSettings;
  tokenizer: ColbertTokenizer;
  reference: { skiplist_token_ids: number[] };
}

async function loadFixture(name: string): Promise<Fixture> {
  const json = async (file: string) => JSON.parse(await readFile(`${fixtures}${name}/${file}`, 'utf8')) as Record<string, unknown>;
  const settings = readColbertSettings(await json('checkpoint/config_sentence_transformers.json'));
  const files: TokenizerFiles = {
    tokenizerJson: await json('checkpoint/tokenizer.json'),
    tokenizerConfig: await json('checkpoint/tokenizer_config.json'),
    specialTokensMap: await json('checkpoint/special_tokens_map.json'),
  };
  const reference = (await json('reference/reference.json')) as unknown as Fixture['reference'];
  return { files, settings, tokenizer: createTokenizer(files, settings), reference };
}

let bert: Fixture;
let bpe: Fixture;

beforeAll(async () => {
  [bert, bpe] = await Promise.all([loadFixture('colbert-tiny-golden'), loadFixture('modernbert-tiny-golden')]);
});

function codeOf(fn: () => unknown): { code: string | undefined; subject: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ColbertError);
    const e = error as ColbertError;
    return { code: e.code, subject: e.subject, message: e.message };
  }
  throw new Error('expected a ColbertError');
}

describe('ids the ColBERT preparation needs', () => {
  test('BERT WordPiece fixture', () => {
    const t = bert.tokenizer;
    expect([t.clsId, t.sepId, t.maskId, t.padId]).toEqual([101, 102, 103, 0]);
    expect([t.leadingSpecials, t.trailingSpecials]).toEqual([1, 1]);
    expect(Array.from(t.queryPrefixIds)).toEqual([1]);
    expect(Array.from(t.documentPrefixIds)).toEqual([2]);
    expect([...t.skiplistIds]).toEqual(bert.reference.skiplist_token_ids);
  });

  test('ModernBERT byte-level BPE fixture (§6.4)', () => {
    const t = bpe.tokenizer;
    expect([t.clsId, t.sepId, t.maskId, t.padId]).toEqual([1985, 1986, 1988, 0]);
    expect(Array.from(t.queryPrefixIds)).toEqual([2048]);
    expect(Array.from(t.documentPrefixIds)).toEqual([2049]);
    expect([...t.skiplistIds]).toEqual(bpe.reference.skiplist_token_ids);
  });

  test('mask token: special_tokens_map.json mask_token only when it is a plain string (§4.1)', () => {
    const withString = createTokenizer({ ...bert.files, specialTokensMap: { mask_token: '[unused5]' } }, bert.settings);
    expect(withString.maskId).toBe(withString.tokenToId('[unused5]'));
    expect(withString.maskId).not.toBe(103);
    const withObject = createTokenizer({ ...bert.files, specialTokensMap: { mask_token: { content: '[unused5]' } } }, bert.settings);
    expect(withObject.maskId).toBe(103);
    const missing = createTokenizer({ ...bert.files, specialTokensMap: { mask_token: 'no-such-token' } }, bert.settings);
    expect(missing.maskId).toBeUndefined();
  });

  test('skiplist keeps only words that are vocabulary entries', () => {
    expect([...bert.tokenizer.skiplist(['.', 'not-a-token', ','])]).toEqual([1012, 1010]);
  });

  test('tokenize returns ids and vocabulary spellings with the template tokens', () => {
    const { ids, tokens } = bert.tokenizer.tokenize('[unused0]Hello, World');
    expect(Array.from(ids)).toEqual([101, 1, 7592, 1010, 2088, 102]);
    expect(tokens).toEqual(['[CLS]', '[unused0]', 'hello', ',', 'world', '[SEP]']);
    expect(bpe.tokenizer.tokenize('[D] Hello world').tokens).toEqual(['[CLS]', '[D] ', 'H', 'ell', 'o', 'Ġw', 'or', 'l', 'd', '[SEP]']);
  });
});

describe('matches the Rust tokenizers library where the JS library does not', () => {
  // Expected ids come from the Rust library (tokenizers 0.23.2 Node binding) on the fixture files, which is what
  // the reference runs.
  test('BertNormalizer lowercases each code point: a final capital sigma becomes σ, not ς', () => {
    const { ids, tokens } = bert.tokenizer.tokenize('ΟΔΟΣ');
    expect(Array.from(ids)).toEqual([101, 1169, 29722, 29730, 29733, 102]);
    expect(tokens[4]).toBe('##σ');
  });

  test('BertNormalizer spaces astral CJK ideographs', () => {
    expect(Array.from(bert.tokenizer.tokenize('𠀀ab').ids)).toEqual([101, 100, 11113, 102]);
    // U+2B820 is outside the Rust ranges, U+2B920 inside.
    expect(Array.from(bert.tokenizer.tokenize('\u{2b820}ab').ids)).toEqual([101, 100, 102]);
    expect(Array.from(bert.tokenizer.tokenize('\u{2b920}ab').ids)).toEqual([101, 100, 11113, 102]);
  });

  test('byte-level split uses Rust whitespace (U+0085 is whitespace, U+FEFF is not)', () => {
    expect(bpe.tokenizer.tokenize("\ufeff's").tokens).toEqual(['[CLS]', 'ï', '»', '¿', "'", 's', '[SEP]']);
    expect(bpe.tokenizer.tokenize("\u0085's").tokens).toEqual(['[CLS]', 'Â', 'ħ', "'s", '[SEP]']);
  });
});

describe('safeCut', () => {
  test('tokens of text[0, cut) are exactly the first tokens of the whole text', () => {
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const pieces = ['word', 'Σ', 'ΑΣ', ' ', '  ', '\t', '\n', '[MASK]', ' [MASK]', '[Q] ', '[D] ', '[unused0]', '[UNUSED1]', 'e\u0301', '\u0301', '中文', '😀', '\u200b', ']', '[', "'s", 'x'.repeat(120), '\ud800', '|||EMAIL_ADDRESS|||'];
    for (const fixture of [bert, bpe]) {
      const tok = fixture.tokenizer;
      for (let n = 0; n < 300; n++) {
        let text = '';
        while (text.length < 200) text += pieces[Math.floor(random() * pieces.length)];
        const prefix = n % 2 ? fixture.settings.queryPrefix : fixture.settings.documentPrefix;
        const whole = Array.from(tok.tokenize(prefix + text).ids);
        for (let from = 1; from < text.length; from += 17) {
          const cut = tok.safeCut(text, from);
          if (cut < 0) break;
          expect(cut).toBeGreaterThanOrEqual(from);
          const part = Array.from(tok.tokenize(prefix + text.slice(0, cut)).ids).slice(0, -1);
          expect(whole.slice(0, part.length), JSON.stringify(text.slice(0, cut))).toEqual(part);
        }
      }
    }
  });

  test('never cuts inside an added token that holds whitespace', () => {
    const text = 'aaaa[Q] bbbb';
    expect(bpe.tokenizer.safeCut(text, 0)).toBe(-1);
    expect(bert.tokenizer.safeCut(text, 0)).toBe(7); // BERT has no "[Q] " token
  });
});

describe('malformed or unsupported tokenizer.json', () => {
  const base = () => bert.files;

  test.each([
    ['not an object', () => ({ ...base(), tokenizerJson: [] as unknown as Record<string, unknown> })],
    ['no model', () => ({ ...base(), tokenizerJson: { ...base().tokenizerJson, model: undefined } })],
    ['no vocabulary', () => ({ ...base(), tokenizerJson: { ...base().tokenizerJson, model: { type: 'WordPiece' } } })],
    ['bad added_tokens', () => ({ ...base(), tokenizerJson: { ...base().tokenizerJson, added_tokens: [{ id: 'x' }] } })],
    ['BPE without merges', () => ({ ...base(), tokenizerJson: { ...base().tokenizerJson, model: { type: 'BPE', vocab: {} } } })],
  ])('%s → ModelFileCorrupt naming tokenizer.json', (_, files) => {
    const { code, subject, message } = codeOf(() => createTokenizer(files(), bert.settings));
    expect(code).toBe(ErrorCode.ModelFileCorrupt);
    expect(subject).toBe('tokenizer.json');
    expect(message).toContain('tokenizer.json');
  });

  test.each([
    ['an unknown model type', { model: { type: 'WordLevel', vocab: { a: 0 } } }],
    ['an unknown normalizer', { normalizer: { type: 'Magic' } }],
    ['no [CLS] … [SEP] template', { post_processor: null }],
  ])('%s → ModelUnsupported naming tokenizer.json', (_, patch) => {
    const files = { ...base(), tokenizerJson: { ...base().tokenizerJson, ...patch } };
    const { code, subject } = codeOf(() => createTokenizer(files, bert.settings));
    expect(code).toBe(ErrorCode.ModelUnsupported);
    expect(subject).toBe('tokenizer.json');
  });

  test('missing optional sections are read as none', () => {
    const { normalizer: _n, decoder: _d, ...rest } = base().tokenizerJson;
    const tok = createTokenizer({ ...base(), tokenizerJson: rest, tokenizerConfig: {}, specialTokensMap: {} }, bert.settings);
    expect(tok.tokenize('hello').tokens).toEqual(['[CLS]', 'hello', '[SEP]']);
  });
});
