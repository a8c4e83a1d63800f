import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { defaultSharedDir, generateBertCheckpoint, lexicalOptions, writeCheckpoint } from '@colbert-web/fixtures';
import { ColbertError, ErrorCode, modelFiles } from 'colbert-web/node';

const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];

const NOTICE = `# colbert-lexical (word matching, not semantic)

A generated PyLate checkpoint whose vectors identify word pieces: a query token matches only the same word piece in a
document, so MaxSim counts shared word pieces. It ranks like keyword overlap, knows no synonyms or meaning, and exists
so an app can run offline with no download. Made by \`colbert-web make-lexical-model\`; same seed, same bytes.
`;

/** The tokenizer packed with the CLI (scripts/copy-lexical-tokenizer.mjs), else the shared golden fixture's. */
function defaultTokenizer(): string {
  const packed = fileURLToPath(new URL('../assets/lexical-tokenizer/', import.meta.url));
  return existsSync(join(packed, 'tokenizer.json')) ? packed : join(defaultSharedDir(), 'fixtures/colbert-tiny-golden/checkpoint');
}

/**
 * `colbert-web make-lexical-model --out <dir> [--tokenizer <folder|url>] [--seed N]`: writes the offline lexical
 * model (~16 MB) that the playground uses, for apps outside this repository. The tokenizer is the uncased BERT
 * WordPiece one packed with the CLI, or `--tokenizer`: any BERT uncased PyLate checkpoint.
 */
export async function makeLexicalModelCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, tokenizer: { type: 'string' }, seed: { type: 'string', default: '7' } }, strict: true });
  if (!values.out) throw new ColbertError(ErrorCode.InvalidInput, 'usage: colbert-web make-lexical-model --out <dir> [--tokenizer <folder|url>]', { subject: '--out' });
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ColbertError(ErrorCode.InvalidInput, '--seed must be an integer in [0, 2^32).', { subject: '--seed' });
  const source = modelFiles(values.tokenizer ?? defaultTokenizer());
  const tokenizer = new Map<string, Uint8Array>();
  for (const file of TOKENIZER_FILES) if (await source.exists(file)) tokenizer.set(file, await source.read(file));
  if (!tokenizer.has('tokenizer.json')) {
    throw new ColbertError(ErrorCode.ModelFileMissing, `No tokenizer.json in ${source.location}: pass --tokenizer <folder|url> of a BERT uncased PyLate checkpoint.`, { subject: '--tokenizer' });
  }
  const files = generateBertCheckpoint(lexicalOptions(tokenizer, seed));
  files.set('README.md', new TextEncoder().encode(NOTICE));
  const out = resolve(values.out);
  await writeCheckpoint(out, files);
  const bytes = [...files.values()].reduce((sum, f) => sum + f.byteLength, 0);
  process.stdout.write(`lexical model (word matching, not semantic): ${files.size} files, ${(bytes / 1e6).toFixed(1)} MB in ${out}\n`);
  return 0;
}
