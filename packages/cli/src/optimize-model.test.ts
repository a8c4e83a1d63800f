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
] as const;

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
      for (const [, t] of parseSafetensors(new Uint8Array(await readFile(join(out, file))), file)) expect(t.storedDtype).toBe(format === 'int8' && t.shape.length === 2 ? 'I8' : 'F16');
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
    [['optimize-model', `${golden}checkpoint`, '--weights', 'q4', '--out', join(tmpdir(), 'never')], /--weights must be one of fp16, int8 \(got "q4"\)/],
    [['optimize-model', join(tmpdir(), 'no-such-checkpoint'), '--weights', 'fp16', '--out', join(tmpdir(), 'never')], /no-such-checkpoint is not a folder/],
  ] as const) {
    const error = (await execute(bin, [...args]).catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(1);
    expect(error.stderr).toMatch(/^error \[INVALID_INPUT\]: .*\n$/);
    expect(error.stderr).toMatch(message);
  }
});
