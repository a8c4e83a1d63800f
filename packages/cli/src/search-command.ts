import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { assertSameModel, ColbertError, createWasmScorer, ErrorCode, modelFiles, modelIdentity } from 'colbert-web/node';
import { readQueries } from './eval/beir-files.js';
import { existingFile, number, threadsFlag } from './flags.js';
import { documentsBySeq, readIndexFile } from './index-file.js';
import { openFileSearcher } from './file-searcher.js';
import { ENCODER_FLAGS, loadCommandEncoder } from './load-encoder.js';

const USAGE = 'usage: colbert-web search <file.cwi> ("query" | --queries <queries.jsonl>) [-k 10] [--exact] [--json]';

/** One query's answer as `--queries` prints it (one JSON line each, in input order). */
export interface QueryAnswer {
  query: string;
  /** The query's `_id` in the queries file. */
  id: string;
  hits: { id: string; score: number }[];
  /** Encoding the query and scoring the index, wall time. */
  ms: number;
}

/**
 * `colbert-web search <file> "query" [-k 10] [--json] [--model <folder|url>]`: MaxSim over a portable index file
 * on the CPU (WebAssembly SIMD scorer). The model defaults to the one named in the file. With `--queries`, every
 * query of a BEIR queries file (`{"_id", "text"}` lines), one JSON line each.
 */
export async function searchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...ENCODER_FLAGS,
      k: { type: 'string', short: 'k', default: '10' },
      json: { type: 'boolean', default: false },
      queries: { type: 'string' },
      exact: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const [file, query, extra] = positionals;
  if (!file || extra !== undefined || (query === undefined) === (values.queries === undefined)) {
    throw new ColbertError(ErrorCode.InvalidInput, USAGE, { subject: 'arguments' });
  }
  const k = values.k === '0' ? 0 : number('-k', values.k, true);
  const queries = values.queries === undefined ? undefined : await readQueries(existingFile('queries file', values.queries));
  const contents = readIndexFile(existingFile('index file', file));
  const { identity: fileIdentity, segments, coded } = contents;
  const model = values.model ?? fileIdentity.identity.name;
  const { threads } = threadsFlag(values.threads);
  const encoder = await loadCommandEncoder(model, values);
  try {
    assertSameModel(fileIdentity.identity, await modelIdentity(modelFiles(model), encoder.checkpoint, model), file);
    const { dim } = fileIdentity.identity;
    // Vectors are always scored exhaustively; `--exact` decodes every compressed document instead of pruning.
    const scorer = await openFileSearcher(contents, threads ?? availableParallelism());
    const bySeq = documentsBySeq([...coded, ...segments]);
    try {
      const answer = async (text: string): Promise<{ hits: { seq: number; score: number }[]; ms: number }> => {
        const started = performance.now();
        const [q] = await encoder.encode([{ text, kind: 'query' }]);
        const hits = await scorer.score({ dim, rows: q!.rows, values: q!.vectors }, { k, exact: values.exact });
        return { hits, ms: performance.now() - started };
      };
      if (queries) {
        for (const [id, text] of queries) {
          const { hits, ms } = await answer(text);
          const line: QueryAnswer = { query: text, id, hits: hits.map((h) => ({ id: bySeq.get(h.seq)!.id, score: h.score })), ms };
          process.stdout.write(`${JSON.stringify(line)}\n`);
        }
        process.stderr.write(`${queries.size} queries over ${bySeq.size} documents, ${scorer.backend}\n`);
        return 0;
      }
      const { hits, ms } = await answer(query!);
      const results = hits.map((h) => ({ id: bySeq.get(h.seq)!.id, score: h.score, text: bySeq.get(h.seq)!.text ?? undefined }));
      if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
      else {
        results.forEach((r, i) => process.stdout.write(`${String(i + 1).padStart(3)}. ${r.score.toFixed(4)}  ${r.id}  ${(r.text ?? '').slice(0, 100).replace(/\s+/g, ' ')}\n`));
        process.stderr.write(`${bySeq.size} documents, ${scorer.backend}, encoded and scored in ${ms.toFixed(1)} ms\n`);
      }
    } finally {
      scorer.dispose();
    }
  } finally {
    await encoder.close();
  }
  return 0;
}
