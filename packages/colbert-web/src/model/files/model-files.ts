import { ColbertError, ErrorCode } from '../../errors.js';
import type { OperationOptions } from '../../protocol/progress.js';

/**
 * Where a checkpoint's files come from: a folder (Node), a base URL, or in-memory files.
 * Paths are relative to the checkpoint root and use `/` (e.g. `1_Dense/config.json`).
 */
export interface ModelFiles {
  /** A human-readable location (folder path or URL) used in error messages. */
  readonly location: string;
  /** Reads a file. A missing file rejects with `ColbertError(ModelFileMissing)` naming it. */
  read(path: string, options?: OperationOptions): Promise<Uint8Array>;
  /** Whether the file exists (used for optional files). */
  exists(path: string): Promise<boolean>;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads and parses a JSON file, naming the file in any error. */
export async function readJson<T = unknown>(files: ModelFiles, path: string, options?: OperationOptions): Promise<T> {
  const bytes = await files.read(path, options);
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch (cause) {
    throw new ColbertError(
      ErrorCode.ModelFileCorrupt,
      `${path} in ${files.location} is not valid UTF-8 JSON: ${(cause as Error).message}`,
      { subject: path, cause },
    );
  }
}

/** The errors `missingFile` made: the file is not there (as opposed to a request that failed). */
const absent = new WeakSet<ColbertError>();

/** Whether `error` says the file is not there (a 404, no such file), not that reading it failed (offline, 5xx). */
export function isMissingFile(error: unknown): boolean {
  return error instanceof ColbertError && absent.has(error);
}

/** The error for a file the source does not have. */
export function missingFile(files: { location: string }, path: string, cause?: unknown): ColbertError {
  const error = new ColbertError(
    ErrorCode.ModelFileMissing,
    `The checkpoint at ${files.location} has no ${path}. A PyLate checkpoint needs config.json, ` +
      'config_sentence_transformers.json, modules.json, tokenizer.json, model.safetensors and its Dense modules.',
    { subject: path, cause },
  );
  absent.add(error);
  return error;
}
