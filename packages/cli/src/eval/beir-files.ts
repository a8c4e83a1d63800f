/**
 * Readers for the BEIR dataset layout (corpus.jsonl, queries.jsonl, qrels/<split>.tsv), each optionally gzipped.
 * Files are streamed line by line (node:zlib for .gz), so a large corpus is never held as one string.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ColbertError, ErrorCode } from 'colbert-web/node';
import type { Qrels } from './metrics.js';
import type { EvalDocument, EvalQuery } from './ranker.js';

function invalid(file: string, line: number, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, `${file}:${line}: ${message}`, { subject: `${file}:${line}` });
}

/** The non-empty lines of a text file, gunzipped when its name ends in .gz, with 1-based line numbers. */
export async function* readLines(file: string): AsyncGenerator<{ line: string; number: number }> {
  let input: Readable = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  const lines = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() !== '') yield { line, number };
  }
}

async function* jsonObjects(file: string): AsyncGenerator<{ value: Record<string, unknown>; number: number }> {
  for await (const { line, number } of readLines(file)) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw invalid(file, number, 'not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(file, number, 'expected a JSON object.');
    yield { value: value as Record<string, unknown>, number };
  }
}

function id(value: Record<string, unknown>, file: string, number: number): string {
  const raw = value['_id'];
  // Some BEIR exports write numeric ids; qrels ids are strings, so compare as strings.
  if (typeof raw === 'string' && raw !== '') return raw;
  if (typeof raw === 'number' && Number.isFinite(raw)) return String(raw);
  throw invalid(file, number, '"_id" must be a non-empty string.');
}

function field(value: Record<string, unknown>, name: string, file: string, number: number): string {
  const raw = value[name] ?? '';
  if (typeof raw !== 'string') throw invalid(file, number, `"${name}" must be a string.`);
  return raw;
}

/**
 * BEIR corpus documents ({"_id", "title", "text"}) in file order. The indexed text is title + " " + text, as
 * PyLate's and BEIR's loaders join them (without the space when either part is empty).
 *
 * @example
 * for await (const doc of readCorpus('scifact/corpus.jsonl.gz')) console.log(doc.id, doc.text.length);
 */
export async function* readCorpus(file: string, options: { limit?: number } = {}): AsyncGenerator<EvalDocument> {
  let count = 0;
  const seen = new Set<string>();
  for await (const { value, number } of jsonObjects(file)) {
    if (options.limit !== undefined && count >= options.limit) return;
    const docId = id(value, file, number);
    if (seen.has(docId)) throw invalid(file, number, `document "${docId}" appears twice.`);
    seen.add(docId);
    const title = field(value, 'title', file, number);
    const text = field(value, 'text', file, number);
    yield { id: docId, text: title && text ? `${title} ${text}` : title || text };
    count++;
  }
}

/**
 * BEIR queries ({"_id", "text"}) by id.
 *
 * @example
 * const queries = await readQueries('scifact/queries.jsonl.gz');
 * queries.get('1'); // '0-dimensional biomaterials show inductive properties.'
 */
export async function readQueries(file: string): Promise<Map<string, string>> {
  const queries = new Map<string, string>();
  for await (const { value, number } of jsonObjects(file)) queries.set(id(value, file, number), field(value, 'text', file, number));
  return queries;
}

/**
 * BEIR qrels: tab-separated `query-id corpus-id score`, with or without the header line. `path` is the .tsv
 * itself, or a folder holding `<split>.tsv` (BEIR's `qrels/` folder).
 *
 * @example
 * const qrels = await readQrels('scifact/qrels', 'test');
 * qrels.get('1')?.get('31715818'); // 1
 */
export async function readQrels(path: string, split = 'test'): Promise<Qrels> {
  const file = (await stat(path)).isDirectory() ? join(path, `${split}.tsv`) : path;
  const qrels: Qrels = new Map();
  let first = true;
  for await (const { line, number } of readLines(file)) {
    // Tabs as BEIR writes them; TREC-style files separate with spaces.
    const cells = (line.includes('\t') ? line.split('\t') : line.trim().split(/ +/)).map((c) => c.trim());
    const isHeader = first && cells.length >= 3 && !/^-?\d+$/.test(cells[cells.length - 1]!);
    first = false;
    if (isHeader) continue;
    // BEIR writes 3 columns; TREC qrels have 4 (query, iteration, document, grade).
    if (cells.length !== 3 && cells.length !== 4) throw invalid(file, number, 'expected "query-id<TAB>corpus-id<TAB>score".');
    const [queryId, docId, grade] = cells.length === 3 ? cells : [cells[0], cells[2], cells[3]];
    if (!queryId || !docId || !/^-?\d+$/.test(grade!)) throw invalid(file, number, 'expected a query id, a document id and an integer score.');
    let judgments = qrels.get(queryId);
    if (!judgments) qrels.set(queryId, (judgments = new Map()));
    const previous = judgments.get(docId);
    if (previous !== undefined && previous !== Number(grade)) throw invalid(file, number, `query ${queryId}, document ${docId} is judged twice with different scores.`);
    judgments.set(docId, Number(grade));
  }
  return qrels;
}

/**
 * The queries to evaluate, in qrels order: those whose qrels hold a relevant document. Throws `ColbertError`
 * (InvalidInput) naming the first qrels query that has no text.
 *
 * @example
 * const toRank = queriesToEvaluate(qrels, await readQueries(queriesFile));
 */
export function queriesToEvaluate(qrels: Qrels, queries: ReadonlyMap<string, string>): EvalQuery[] {
  const out: EvalQuery[] = [];
  for (const [queryId, judgments] of qrels) {
    if (![...judgments.values()].some((g) => g >= 1)) continue;
    const text = queries.get(queryId);
    if (text === undefined) throw new ColbertError(ErrorCode.InvalidInput, `Query ${queryId} is in the qrels but not in the queries file.`, { subject: queryId });
    out.push({ id: queryId, text });
  }
  return out;
}
