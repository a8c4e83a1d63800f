/**
 * The retrieval gate of the whole pipeline: on all of SciFact (5,183 documents, 300 test queries) the lexical
 * fixture model, run through the installed `colbert-web eval` (index file → WASM scorer, int8), must score
 * nDCG@10 within ±0.01 of the exact word-piece-overlap scorer. The model's MaxSim is 2 + overlap + a small
 * positive remainder per unmatched query piece (see overlap.ts), so a larger gap means a bug in tokenisation,
 * truncation, storage, quantisation or top-k, not noise.
 */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { generatePreset, writeCheckpoint } from '@colbert-web/fixtures';
import { queriesToEvaluate, readCorpus, readQrels, readQueries } from './beir-files.js';
import { evaluateRanker } from './harness.js';
import { createOverlapRanker, loadTokenRules } from './overlap.js';
import type { EvalDocument } from './ranker.js';

const run = promisify(execFile);
const bin = fileURLToPath(new URL('../../../../node_modules/.bin/colbert-web', import.meta.url));
const scifact = fileURLToPath(new URL('../../../../../shared/data/scifact/', import.meta.url));

test('SciFact: the lexical model through the SDK matches the overlap scorer’s nDCG@10 within 0.01', async () => {
  const model = join(await mkdtemp(join(tmpdir(), 'colbert-gate-')), 'lexical');
  await writeCheckpoint(model, generatePreset('lexical'));
  const documents: EvalDocument[] = [];
  for await (const doc of readCorpus(join(scifact, 'corpus.jsonl.gz'))) documents.push(doc);
  const qrels = await readQrels(join(scifact, 'qrels'), 'test');
  const queries = queriesToEvaluate(qrels, await readQueries(join(scifact, 'queries.jsonl.gz')));
  const overlap = await evaluateRanker(createOverlapRanker(await loadTokenRules(model), documents), queries, qrels);

  const files = ['--corpus', join(scifact, 'corpus.jsonl.gz'), '--queries', join(scifact, 'queries.jsonl.gz'), '--qrels', join(scifact, 'qrels')];
  const { stdout } = await run(bin, ['eval', ...files, '--model', model, '--json'], { maxBuffer: 1 << 24 });
  const lexical = (JSON.parse(stdout) as { metrics: Record<string, number> }).metrics;
  const gap = lexical['ndcg@10']! - overlap.mean['ndcg@10']!;
  process.stdout.write(`\nSciFact nDCG@10: lexical model (int8) ${lexical['ndcg@10']!.toFixed(4)}, overlap ${overlap.mean['ndcg@10']!.toFixed(4)}, gap ${gap.toFixed(4)}\n`);
  expect(overlap.queries).toBe(300);
  expect(Math.abs(gap)).toBeLessThanOrEqual(0.01);
}, 600_000);
