import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { assertSameModel, ColbertError, createWasmScorer, ErrorCode, modelFiles, modelIdentity } from 'colbert-web/node';
import { existingFile, threadsFlag } from './flags.js';
import { documentsBySeq, readIndexFile } from './index-file.js';
import { openFileSearcher } from './file-searcher.js';
import { ENCODER_FLAGS, loadCommandEncoder } from './load-encoder.js';

/**
 * `colbert-web search <file> "query" [-k 10] [--json] [--model <folder|url>]`: MaxSim over a portable index file
 * on the CPU (WebAssembly SIMD scorer). The model defaults to the one named in the file.
 */
export async function searchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { ...ENCODER_FLAGS, k: { type: 'string', short: 'k', default: '10' }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const [file, query] = positionals;
  if (!file || query === undefined) throw new ColbertError(ErrorCode.InvalidInput, 'usage: colbert-web search <file.cwi> "query" [-k 10] [--json]', { subject: 'arguments' });
  const k = Number(values.k);
  if (values.k.trim() === '' || !Number.isSafeInteger(k) || k < 0) throw new ColbertError(ErrorCode.InvalidInput, '-k must be a non-negative integer.', { subject: '-k' });
  const contents = readIndexFile(existingFile('index file', file));
  const { identity: fileIdentity, segments, coded } = contents;
  const model = values.model ?? fileIdentity.identity.name;
  const { threads } = threadsFlag(values.threads);
  const encoder = await loadCommandEncoder(model, values);
  try {
    assertSameModel(fileIdentity.identity, await modelIdentity(modelFiles(model), encoder.checkpoint, model), file);
    const { dim } = fileIdentity.identity;
    const scorer = await openFileSearcher(contents, threads ?? availableParallelism());
    const bySeq = documentsBySeq([...coded, ...segments]);
    try {
      const [q] = await encoder.encode([{ text: query, kind: 'query' }]);
      const started = performance.now();
      const hits = await scorer.score({ dim, rows: q!.rows, values: q!.vectors }, { k });
      const ms = performance.now() - started;
      const results = hits.map((h) => ({ id: bySeq.get(h.seq)!.id, score: h.score, text: bySeq.get(h.seq)!.text ?? undefined }));
      if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
      else {
        results.forEach((r, i) => process.stdout.write(`${String(i + 1).padStart(3)}. ${r.score.toFixed(4)}  ${r.id}  ${(r.text ?? '').slice(0, 100).replace(/\s+/g, ' ')}\n`));
        process.stderr.write(`${bySeq.size} documents, ${scorer.backend}, scored in ${ms.toFixed(1)} ms\n`);
      }
    } finally {
      scorer.dispose();
    }
  } finally {
    await encoder.close();
  }
  return 0;
}
