import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ColbertError, ErrorCode } from 'colbert-web/node';
import type { EncodeInput, EncodedText } from 'colbert-web/node';
import { existingFile } from './flags.js';
import { ENCODER_FLAGS, loadCommandEncoder } from './load-encoder.js';
import { progressLine } from './progress.js';

const CHUNK = 256;

/** `colbert-web encode`: JSONL texts in, JSONL token vectors out, in input order, bounded memory. */
export async function encodeCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...ENCODER_FLAGS,
      input: { type: 'string' },
      output: { type: 'string' },
      split: { type: 'boolean', default: false },
    },
    strict: true,
  });
  for (const name of ['model', 'input', 'output'] as const) {
    if (!values[name]) throw new ColbertError(ErrorCode.InvalidInput, `encode needs --${name}.`, { subject: `--${name}` });
  }
  existingFile('--input', values.input!);
  // Opened first, so an unwritable --output fails before the model loads.
  const out = createWriteStream(values.output!);
  await once(out, 'open');
  const started = performance.now();
  const encoder = await loadCommandEncoder(values.model!, values);

  const lines = createInterface({ input: createReadStream(values.input!), crlfDelay: Infinity });
  let chunk: EncodeInput[] = [];
  let lineNumber = 0;
  let done = 0;
  const flush = async (): Promise<void> => {
    const encoded = await encoder.encode(chunk, { longDocuments: values.split ? 'split' : 'truncate' });
    for (const e of encoded) {
      if (!out.write(`${serialise(e)}\n`)) await once(out, 'drain');
    }
    done += chunk.length;
    chunk = [];
    progressLine(`encoded ${done} texts`, started);
  };
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    chunk.push(parseLine(line, lineNumber, values.input!));
    if (chunk.length === CHUNK) await flush();
  }
  if (chunk.length) await flush();
  out.end();
  await once(out, 'finish');
  await encoder.close();
  process.stderr.write(`\ndone: ${done} texts in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return 0;
}

function parseLine(line: string, lineNumber: number, file: string): EncodeInput {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ColbertError(ErrorCode.InvalidInput, `${file}:${lineNumber} is not valid JSON.`, { subject: `${file}:${lineNumber}` });
  }
  const { text, kind } = (value ?? {}) as Record<string, unknown>;
  if (typeof text !== 'string') throw new ColbertError(ErrorCode.InvalidInput, `${file}:${lineNumber}: "text" must be a string.`, { subject: `${file}:${lineNumber}` });
  if (kind !== 'query' && kind !== 'document') {
    throw new ColbertError(ErrorCode.InvalidInput, `${file}:${lineNumber}: "kind" must be "query" or "document".`, { subject: `${file}:${lineNumber}` });
  }
  return { text, kind };
}

function serialise(e: EncodedText): string {
  const rows: number[][] = [];
  for (let r = 0; r < e.rows; r++) rows.push(Array.from(e.vectors.subarray(r * e.dim, (r + 1) * e.dim)));
  return JSON.stringify({ kind: e.kind, tokens: rows });
}
