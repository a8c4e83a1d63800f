import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { folderFiles } from '../../colbert-web/src/model/files/folder-files.js';
import { loadEncoder } from '../../colbert-web/src/model/load-model.js';
import { parseSafetensors } from '../../colbert-web/src/model/safetensors.js';

const execute = promisify(execFile);
const bin = fileURLToPath(new URL('../../../node_modules/.bin/colbert-web', import.meta.url));
const golden = fileURLToPath(new URL('../../../../shared/fixtures/colbert-tiny-golden/', import.meta.url));

const FORMATS = [
  // format, largest size ratio of each safetensors file, per-row cosine floor vs fp32
  ['fp16', 0.51, 0.999],
  ['int8', 0.3, 0.995],
  ['q4', 0.3, 0.98],
] as const;

/** How each tensor is stored: q4 takes the backbone's Linear weights only (embedding tables and Dense stay int8). */
function expectedDtype(format: (typeof FORMATS)[number][0], file: string, name: string, shape: readonly number[]): string {
  if (format === 'fp16' || shape.length !== 2) return 'F16';
  return format === 'q4' && file === 'model.safetensors' && !name.includes('embeddings.') ? 'Q4' : 'I8';
}

for (const [format, sizeRatio, floor] of FORMATS) {
  test(`optimize-model --weights ${format}: safetensors ≤ ${sizeRatio}× the bytes, other files unchanged, every row within cosine ${floor} of fp32`, async () => {
    const source = `${golden}checkpoint`;
    const out = join(await mkdtemp(join(tmpdir(), 'colbert-optimize-')), format);
    const { stdout, stderr } = await execute(bin, ['optimize-model', source, '--weights', format, '--out', out]);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`wrote .*${format}: [\\d.]+ MB → [\\d.]+ MB \\(${format}\\)`));
    for (const file of ['model.safetensors', '1_Dense/model.safetensors']) {
      const [a, b] = await Promise.all([stat(join(source, file)), stat(join(out, file))]);
      console.info(`${format} ${file}: ${a.size} → ${b.size} bytes`);
      expect(b.size).toBeLessThan(a.size * sizeRatio);
      const tensors = parseSafetensors(new Uint8Array(await readFile(join(out, file))), file);
      const original = parseSafetensors(new Uint8Array(await readFile(join(source, file))), file);
      expect([...tensors.keys()].sort()).toEqual([...original.keys()].sort());
      for (const [name, t] of tensors) {
        expect(t.storedDtype, name).toBe(expectedDtype(format, file, name, t.shape));
        expect(t.shape, name).toEqual(original.get(name)!.shape);
      }
    }
    for (const file of ['config.json', 'modules.json', 'tokenizer.json', '1_Dense/config.json']) {
      expect((await readFile(join(out, file))).equals(await readFile(join(source, file)))).toBe(true);
    }

    const reference = JSON.parse(await readFile(`${golden}reference/reference.json`, 'utf8')) as { entries: { text: string; mode: 'query' | 'document' }[] };
    const inputs = reference.entries.map((e) => ({ text: e.text, kind: e.mode }));
    const [full, half] = await Promise.all([loadEncoder(folderFiles(source), { threads: 1 }), loadEncoder(folderFiles(out), { threads: 1 })]);
    const [a, b] = [await full.encode(inputs), await half.encode(inputs)];
    await Promise.all([full.close(), half.close()]);
    let minCosine = 1;
    a.forEach((e, i) => {
      expect(b[i]!.ids).toEqual(e.ids);
      for (let r = 0; r < e.rows; r++) {
        let dot = 0;
        let na = 0;
        let nb = 0;
        for (let c = 0; c < e.dim; c++) {
          const x = e.vectors[r * e.dim + c]!;
          const y = b[i]!.vectors[r * e.dim + c]!;
          dot += x * y;
          na += x * x;
          nb += y * y;
        }
        minCosine = Math.min(minCosine, dot / Math.sqrt(na * nb));
      }
    });
    console.info(`${format} checkpoint vs fp32: min per-row cosine 1 − ${(1 - minCosine).toExponential(2)}`);
    expect(minCosine).toBeGreaterThanOrEqual(floor);
  });
}

test('optimize-model refuses formats it does not write and a missing checkpoint, in one line', async () => {
  for (const [args, message] of [
    [['optimize-model', `${golden}checkpoint`, '--weights', 'q3', '--out', join(tmpdir(), 'never')], /--weights must be one of fp16, int8, q4 \(got "q3"\)/],
    [['optimize-model', join(tmpdir(), 'no-such-checkpoint'), '--weights', 'fp16', '--out', join(tmpdir(), 'never')], /no-such-checkpoint is not a folder/],
  ] as const) {
    const error = (await execute(bin, [...args]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/^error \[INVALID_INPUT\]: .*\n$/);
    expect(error.stderr).toMatch(message);
  }
});
