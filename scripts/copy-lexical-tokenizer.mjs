#!/usr/bin/env node
// The CLI's `make-lexical-model` ships the tokenizer it needs (the uncased BERT WordPiece tokenizer, Apache-2.0, of
// answerai-colbert-small-v1), so an app outside this repository can make the offline model with no other download.
// It is copied at build time from the shared golden fixture into packages/cli/assets/ (gitignored, packed with the CLI).
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const shared = process.env['COLBERT_WEB_SHARED'] ?? join(import.meta.dirname, '../../shared');
const from = join(shared, 'fixtures/colbert-tiny-golden/checkpoint');
const to = join(import.meta.dirname, '../packages/cli/assets/lexical-tokenizer');
const files = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.txt'];
if (!existsSync(join(from, 'tokenizer.json'))) {
  process.stderr.write(`copy-lexical-tokenizer: no tokenizer in ${from}; make-lexical-model will need --tokenizer\n`);
} else {
  mkdirSync(to, { recursive: true });
  for (const file of files) if (existsSync(join(from, file))) copyFileSync(join(from, file), join(to, file));
  process.stdout.write(`copied the lexical model's tokenizer → ${to}\n`);
}
