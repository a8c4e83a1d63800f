import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { compareWithReference, expectedRows } from '../../colbert-web/src/testing/golden-reference.js';
import type { ReferenceFile } from '../../colbert-web/src/testing/golden-reference.js';
import { pooledDiff } from '../../colbert-web/src/testing/golden-pooled.js';
import type { PooledFile } from '../../colbert-web/src/testing/golden-pooled.js';

const run = promisify(execFile);
// The installed command, exactly as a user runs it after `npm ci` (built by the prepare script).
const bin = fileURLToPath(new URL('../../../node_modules/.bin/colbert-web', import.meta.url));
const golden = fileURLToPath(new URL('../../../../shared/fixtures/colbert-tiny-golden/', import.meta.url));

/** The golden reference, and an input file with every entry's text and mode, in a fresh folder. */
async function referenceInput(): Promise<{ reference: ReferenceFile; bin32: Float32Array; input: string; output: string }> {
  const reference = JSON.parse(await readFile(`${golden}reference/reference.json`, 'utf8')) as ReferenceFile;
  const bin32 = new Float32Array(new Uint8Array(await readFile(`${golden}reference/reference.bin`)).buffer);
  const dir = await mkdtemp(join(tmpdir(), 'colbert-cli-'));
  const input = join(dir, 'texts.jsonl');
  await writeFile(input, reference.entries.map((e) => JSON.stringify({ text: e.text, kind: e.mode })).join('\n') + '\n');
  return { reference, bin32, input, output: join(dir, 'vectors.jsonl') };
}

describe('colbert-web encode (node_modules/.bin)', () => {
  for (const [backend, ran] of [['native', 'native (onnxruntime-node 1.30.0, cpu, 1 thread(s))'], ['wasm', 'wasm (onnxruntime-web, 1 thread(s)']] as const) {
    test(`--backend ${backend}: one line per input, in order, matching the golden reference within 1e-5`, async () => {
      const { reference, bin32, input, output } = await referenceInput();
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

  test('--pool-factor 2: documents come out as the golden pooled rows, queries as they were', async () => {
    const { reference, bin32, input, output } = await referenceInput();
    const pooled = JSON.parse(await readFile(`${golden}pooled/pooled.json`, 'utf8')) as PooledFile;
    const pooledBin = new Float32Array(new Uint8Array(await readFile(`${golden}pooled/pooled.bin`)).buffer);
    await run(bin, ['encode', '--model', `${golden}checkpoint`, '--input', input, '--output', output, '--threads', '1', '--pool-factor', '2']);
    const lines = (await readFile(output, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { kind: string; tokens: number[][] });
    expect(lines.map((l) => l.kind)).toEqual(reference.entries.map((e) => e.mode));
    let worst = 0;
    reference.entries.forEach((entry, i) => {
      const rows = lines[i]!.tokens;
      if (entry.mode === 'query') {
        expect(rows.length).toBe(entry.shape[0]);
        return;
      }
      const want = pooled.entries.find((p) => p.pool_factor === 2 && p.text_index === entry.text_index)!;
      const diff = pooledDiff(Float32Array.from(rows.flat()), rows.length, want, pooledBin);
      expect(diff, entry.id).toBeLessThanOrEqual(1e-5);
      worst = Math.max(worst, diff);
    });
    expect(worst).toBeLessThanOrEqual(1e-5);
    const queries = reference.entries.filter((e) => e.mode === 'query');
    const queryLines = lines.filter((l) => l.kind === 'query');
    const result = compareWithReference(queries, bin32, queryLines.map((l, i) => ({ ids: expectedRows(queries[i]!, bin32).ids, rows: l.tokens.length, dim: l.tokens[0]!.length, vectors: Float32Array.from(l.tokens.flat()) })));
    expect(result.maxAbs).toBeLessThanOrEqual(1e-5);
    const bad = await run(bin, ['encode', '--model', `${golden}checkpoint`, '--input', input, '--output', output, '--pool-factor', '0']).catch((e: unknown) => e);
    expect((bad as { stderr: string }).stderr).toContain('--pool-factor');
  });

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
