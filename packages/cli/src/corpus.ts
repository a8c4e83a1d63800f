import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ColbertError, ErrorCode, validateMetadata } from 'colbert-web/node';
import type { Metadata } from 'colbert-web/node';

/** One BEIR corpus line: the text indexed is title + " " + text (BEIR's convention). */
export interface CorpusDocument {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata | undefined;
  readonly line: number;
}

/** How far through the corpus file we are, in its own (possibly compressed) bytes: the basis of the ETA. */
export interface CorpusPosition {
  readonly bytesRead: number;
  readonly bytesTotal: number;
}

/** Streams a BEIR corpus (.jsonl or .jsonl.gz) one document at a time; a bad line names the file and line. */
export async function* readCorpus(file: string, position: { current: CorpusPosition }): AsyncGenerator<CorpusDocument> {
  const bytesTotal = statSync(file).size;
  const raw = createReadStream(file);
  raw.on('data', () => {
    position.current = { bytesRead: raw.bytesRead, bytesTotal };
  });
  const input = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of lines) {
      line++;
      if (text.trim() === '') continue;
      yield parseCorpusLine(text, line, file);
    }
  } catch (error) {
    // zlib's errors (Z_DATA_ERROR, Z_BUF_ERROR) do not say which file they are about.
    if (!(error as NodeJS.ErrnoException).code?.startsWith('Z_')) throw error;
    throw new ColbertError(ErrorCode.InvalidInput, `${file} is not a readable gzip file (${(error as Error).message} after line ${line}).`, { cause: error, subject: file });
  }
}

function parseCorpusLine(line: string, lineNumber: number, file: string): CorpusDocument {
  const subject = `${file}:${lineNumber}`;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new ColbertError(ErrorCode.InvalidInput, `${subject} is not valid JSON.`, { subject });
  }
  const v = (value ?? {}) as Record<string, unknown>;
  const id = v['_id'];
  if (typeof id !== 'string' || id === '') throw new ColbertError(ErrorCode.InvalidInput, `${subject}: "_id" must be a non-empty string.`, { subject });
  const title = v['title'] ?? '';
  const text = v['text'] ?? '';
  if (typeof title !== 'string' || typeof text !== 'string') throw new ColbertError(ErrorCode.InvalidInput, `${subject}: "title" and "text" must be strings.`, { subject });
  const metadata = v['metadata'];
  const hasMetadata = typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata) && Object.keys(metadata).length > 0;
  return { id, text: `${title} ${text}`, metadata: hasMetadata ? validateMetadata(metadata, `${subject} metadata`) : undefined, line: lineNumber };
}
