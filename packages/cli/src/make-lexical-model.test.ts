import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { generatePreset } from '@colbert-web/fixtures';
import { loadEncoderFrom } from 'colbert-web/node';
import { describe, expect, test } from 'vitest';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../node_modules/.bin/colbert-web', import.meta.url));
const tokenizer = fileURLToPath(new URL('../../../../shared/fixtures/colbert-tiny-golden/checkpoint', import.meta.url));
// The playground's model: demo/build/lexical-model.ts writes this preset (in memory here, so the test needs no dev server run).
const playgroundModel = generatePreset('lexical');
const playgroundFile = (file: string): Uint8Array => {
  const bytes = playgroundModel.get(file);
  if (!bytes) throw new Error(`the lexical preset has no ${file}`);
  return bytes;
};

describe('colbert-web make-lexical-model (node_modules/.bin)', () => {
  test('without --tokenizer and without the shared folder, the tokenizer packed with the CLI makes the same model', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'colbert-lexical-')), 'lexical');
    await run(bin, ['make-lexical-model', '--out', out], { env: { ...process.env, COLBERT_WEB_SHARED: join(tmpdir(), 'no-shared-folder-here') } });
    for (const file of ['model.safetensors', '1_Dense/model.safetensors', 'tokenizer.json', 'vocab.txt']) {
      expect(Buffer.compare(await readFile(join(out, file)), playgroundFile(file)), file).toBe(0);
    }
  });

  test('writes the playground’s lexical model, labelled word matching, and it ranks by shared words', async () => {
    const out = join(await mkdtemp(join(tmpdir(), 'colbert-lexical-')), 'lexical');
    const { stdout } = await run(bin, ['make-lexical-model', '--out', out, '--tokenizer', tokenizer]);
    expect(stdout).toContain('word matching, not semantic');
    expect(await readFile(join(out, 'README.md'), 'utf8')).toMatch(/^# colbert-lexical \(word matching, not semantic\)/);
    for (const file of ['model.safetensors', '1_Dense/model.safetensors', 'tokenizer.json', 'config_sentence_transformers.json']) {
      expect(Buffer.compare(await readFile(join(out, file)), playgroundFile(file)), file).toBe(0);
    }
    const encoder = await loadEncoderFrom(out, { threads: 1 });
    try {
      const [query, match, other] = await encoder.encode([
        { text: 'heart attack', kind: 'query' },
        { text: 'a heart attack', kind: 'document' },
        { text: 'sourdough bread', kind: 'document' },
      ]);
      const maxSim = (d: typeof match): number => {
        let total = 0;
        for (let i = 0; i < query!.rows; i++) {
          let best = -Infinity;
          for (let j = 0; j < d!.rows; j++) {
            let dot = 0;
            for (let k = 0; k < query!.dim; k++) dot += query!.vectors[i * query!.dim + k]! * d!.vectors[j * d!.dim + k]!;
            best = Math.max(best, dot);
          }
          total += best;
        }
        return total;
      };
      // Each shared word piece adds about 1 (its own unit vector; unrelated pieces are nearly orthogonal), [CLS]/[SEP]
      // the same to both documents: two shared words, a gap of about 2.
      const gap = maxSim(match) - maxSim(other);
      expect(gap).toBeGreaterThan(1.5);
      expect(gap).toBeLessThan(2.5);
    } finally {
      await encoder.close();
    }
  });

  test('a folder without tokenizer.json is a clear error, exit code 1', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'colbert-lexical-empty-'));
    const error = await run(bin, ['make-lexical-model', '--out', join(empty, 'out'), '--tokenizer', empty]).catch((e: { code: number; stderr: string }) => e);
    expect(error).toMatchObject({ code: 1 });
    expect((error as { stderr: string }).stderr).toContain(`error [MODEL_FILE_MISSING]: No tokenizer.json in ${empty}`);
    expect(await readdir(empty)).toEqual([]);
  });
});
