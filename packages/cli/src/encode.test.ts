import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { compareWithReference, expectedRows } from '../../colbert-web/src/testing/golden-reference.js';
import type { ReferenceFile } from '../../colbert-web/src/testing/golden-reference.js';

const run = promisify(execFile);
// The installed command, exactly as a user runs it after `npm ci` (built by the prepare script).
const bin = fileURLToPath(new URL('../../../node_modules/.bin/colbert-web', import.meta.url));
const golden = fileURLToPath(new URL('../../../../shared/fixtures/colbert-tiny-golden/', import.meta.url));

describe('colbert-web encode (node_modules/.bin)', () => {
  for (const [backend, ran] of [['native', 'native (onnxruntime-node 1.30.0, cpu, 1 thread(s))'], ['wasm', 'wasm (onnxruntime-web, 1 thread(s)']] as const) {
    test(`--backend ${backend}: one line per input, in order, matching the golden reference within 1e-5`, async () => {
      const reference = JSON.parse(await readFile(`${golden}reference/reference.json`, 'utf8')) as ReferenceFile;
      const bin32 = new Float32Array(new Uint8Array(await readFile(`${golden}reference/reference.bin`)).buffer);
      const dir = await mkdtemp(join(tmpdir(), 'colbert-cli-'));
      const input = join(dir, 'texts.jsonl');
      const output = join(dir, 'vectors.jsonl');
      await writeFile(input, reference.entries.map((e) => JSON.stringify({ text: e.text, kind: e.mode })).join('\n') + '\n');
      const { stdout, stderr } = await run(bin, ['encode', '--model', `${golden}checkpoint`, '--input', input, '--output', output, '--threads', '1', '--backend', backend]);
      // Progress and what ran on stderr; the vectors go to --output, nothing to stdout.
      expect(stdout).toBe('');
      expect(stderr).toContain(`on ${ran}`);
      expect(stderr).toMatch(/encoded \d+ texts/);
      const lines = (await readFile(output, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; tokens: number[][] });
      expect(lines).toHaveLength(reference.entries.length);
      expect(lines.map((l) => l.kind)).toEqual(reference.entries.map((e) => e.mode));
      // The output has no ids; row counts and vectors are what is compared.
      const encoded = lines.map((l, i) => ({
        ids: expectedRows(reference.entries[i]!, bin32).ids,
        rows: l.tokens.length,
        dim: l.tokens[0]!.length,
        vectors: Float32Array.from(l.tokens.flat()),
      }));
      const result = compareWithReference(reference.entries, bin32, encoded);
      expect(result.idMismatches).toEqual([]);
      expect(result.maxAbs).toBeLessThanOrEqual(1e-5);
    });
  }

  test('a bad line is a clear error naming the file and line, exit code 1', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'colbert-cli-'));
    const input = join(dir, 'bad.jsonl');
    await writeFile(input, '{"text": "ok", "kind": "query"}\n{"text": "x", "kind": "passage"}\n');
    const error = await run(bin, ['encode', '--model', `${golden}checkpoint`, '--input', input, '--output', join(dir, 'out.jsonl')]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 1 });
    expect((error as { stderr: string }).stderr).toContain('bad.jsonl:2');
    expect((error as { stderr: string }).stderr).toContain('INVALID_INPUT');
  });
});
