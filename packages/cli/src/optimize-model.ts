import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { ColbertError, ErrorCode, canQuantizeQ4, parseSafetensors, writeSafetensors } from 'colbert-web/node';
import type { SafetensorsDtype } from 'colbert-web/node';
import { choice, invalidFlag } from './flags.js';

/** Weight formats `optimize-model` writes. */
export const WEIGHT_FORMATS = ['fp16', 'int8', 'q4'] as const;
export type WeightFormat = (typeof WEIGHT_FORMATS)[number];
/** Other frameworks' copies of the weights: the SDK reads only safetensors, so a compact folder leaves them out. */
const OTHER_WEIGHTS = /\.(bin|pt|pth|h5|ckpt|msgpack|onnx|onnx_data)$/;

/**
 * `colbert-web optimize-model <checkpoint> --weights fp16|int8|q4 --out <dir>`: a copy of a PyLate checkpoint folder
 * whose safetensors hold float16 (half the download) or, for int8, every matrix as per-row int8 with float32 scales
 * and the vectors (biases, norms) as float16 (about a quarter). The SDK loads it like any checkpoint and widens
 * these to float32 on load, so only the download shrinks, not the compute. q4: every matrix whose rows are whole
 * blocks of 32 in 4-bit blocks (float16 scale and 4-bit zero point per block; the rest as int8), which the graph
 * runs as MatMulNBits without widening (embedding tables are widened for their Gather).
 */
export async function optimizeModelCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { weights: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const source = positionals[0];
  if (!source) throw invalidFlag('checkpoint', 'optimize-model needs a checkpoint folder: colbert-web optimize-model <checkpoint> --weights fp16|int8|q4 --out <dir>');
  if (!values.weights) throw invalidFlag('--weights', 'optimize-model needs --weights fp16, int8 or q4.');
  const format = choice<WeightFormat>('--weights', values.weights, WEIGHT_FORMATS);
  if (!values.out) throw invalidFlag('--out', 'optimize-model needs --out <dir>.');
  if (!statSync(source, { throwIfNoEntry: false })?.isDirectory()) {
    throw new ColbertError(ErrorCode.InvalidInput, `checkpoint ${source} is not a folder.`, { subject: source });
  }
  const files = listFiles(source);
  if (!files.some((f) => f.endsWith('.safetensors'))) {
    throw new ColbertError(ErrorCode.ModelFileMissing, `${source} has no .safetensors files to convert.`, { subject: source });
  }
  let before = 0;
  let after = 0;
  for (const file of files) {
    const from = join(source, file);
    const to = join(values.out, file);
    if (OTHER_WEIGHTS.test(file)) {
      process.stderr.write(`skipped ${file} (not safetensors)\n`);
      continue;
    }
    mkdirSync(dirname(to), { recursive: true });
    const size = statSync(from).size;
    before += size;
    if (!file.endsWith('.safetensors')) {
      copyFileSync(from, to);
      after += size;
      continue;
    }
    const { bytes, tensors } = compactSafetensors(new Uint8Array(readFileSync(from)), from, format, weightsRole(file));
    writeFileSync(to, bytes);
    after += bytes.length;
    process.stderr.write(`${file}: ${tensors} tensors, ${mb(size)} → ${mb(bytes.length)}\n`);
  }
  process.stderr.write(`wrote ${values.out}: ${mb(before)} → ${mb(after)} (${format})\n`);
  return 0;
}

/**
 * One safetensors file rewritten in `format`: fp16 everything; or int8 matrices (per row) and fp16 vectors; or q4:
 * the backbone's Linear weights in 4-bit blocks of 32 along rows, the rest as int8 does. `role` says whose file it
 * is: 'backbone' (model.safetensors) or 'head' (a Dense module's).
 *
 * Under q4 the embedding tables (looked up, not multiplied: they would be widened to float32 anyway) and the
 * Dense head (tiny, and the last step before the output) stay per-row int8: on the seeded golden checkpoint that
 * lifts the smallest row cosine with fp32 from 0.970 (every matrix q4) to 0.98.
 */
export function compactSafetensors(bytes: Uint8Array, file: string, format: WeightFormat, role: 'backbone' | 'head' = 'backbone'): { bytes: Uint8Array; tensors: number } {
  const tensors = parseSafetensors(bytes, file);
  const storedAs = (name: string, shape: readonly number[]): SafetensorsDtype => {
    if (format === 'fp16' || shape.length !== 2) return 'F16';
    const linear = role === 'backbone' && !/(^|\.)embeddings\./.test(name);
    return format === 'q4' && linear && canQuantizeQ4(shape) ? 'Q4' : 'I8';
  };
  return { bytes: writeSafetensors([...tensors].map(([name, t]) => ({ name, shape: t.shape, data: t.data, dtype: storedAs(name, t.shape) }))), tensors: tensors.size };
}

/** Whose weights a safetensors file of a checkpoint holds, by its path in the folder. */
export function weightsRole(path: string): 'backbone' | 'head' {
  return path === 'model.safetensors' ? 'backbone' : 'head';
}

/**
 * `optimize-model` in memory: a checkpoint's files (path → bytes) with every safetensors file in `format` and the
 * other files as they are (benches and browser tests build compact checkpoints this way).
 *
 * @example
 * const q4 = compactCheckpointFiles(generatePreset('tiny'), 'q4');
 */
export function compactCheckpointFiles(files: ReadonlyMap<string, Uint8Array>, format: WeightFormat): Map<string, Uint8Array> {
  return new Map([...files].map(([path, bytes]) => [path, path.endsWith('.safetensors') ? compactSafetensors(bytes, path, format, weightsRole(path)).bytes : bytes]));
}

function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
