/**
 * One error class for the whole SDK. `code` is stable (callers branch on it) and survives the worker
 * boundary; `message` says what went wrong and what to do about it.
 */
export const ErrorCode = {
  /** A file the checkpoint needs is missing or could not be fetched. */
  ModelFileMissing: 'MODEL_FILE_MISSING',
  /** A checkpoint file exists but its contents are malformed (bad JSON, corrupt safetensors header). */
  ModelFileCorrupt: 'MODEL_FILE_CORRUPT',
  /** The checkpoint is well formed but inconsistent (tensor shapes vs config.json, Dense dims that do not chain). */
  ModelShapeMismatch: 'MODEL_SHAPE_MISMATCH',
  /** The checkpoint uses an architecture, dtype or setting this SDK does not run. */
  ModelUnsupported: 'MODEL_UNSUPPORTED',
  /** A caller passed an invalid argument; the message names the field. */
  InvalidInput: 'INVALID_INPUT',
  /** The operation was cancelled through its AbortSignal. */
  Aborted: 'ABORTED',
  /** The inference backend failed to initialise or run. */
  BackendFailed: 'BACKEND_FAILED',
  /** backend 'webgpu' was asked for but there is no WebGPU here (no `navigator.gpu`, or no adapter): use 'auto' or 'wasm'. */
  WebGpuUnavailable: 'WEBGPU_UNAVAILABLE',
  /** The object was used after close(). */
  Closed: 'CLOSED',
  /** An index was opened (or a file imported) with a different model than the one it was built with. */
  IndexModelMismatch: 'INDEX_MODEL_MISMATCH',
  /** Stored index data failed its checksum or is inconsistent: clear the index (or re-import it) and re-add. */
  IndexCorrupt: 'INDEX_CORRUPT',
  /** The browser's storage quota is exhausted; the index keeps its last committed state. */
  QuotaExceeded: 'QUOTA_EXCEEDED',
  /** A portable index file is truncated, of another version, or fails a checksum; nothing was imported. */
  IndexFileInvalid: 'INDEX_FILE_INVALID',
  /** IndexedDB refused or aborted an operation for another reason (private mode, disk error, connection lost). */
  StorageFailed: 'STORAGE_FAILED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ColbertErrorDetails {
  /** The file, URL or field the error is about. */
  readonly subject?: string;
}

/**
 * @example
 * try { await encoder.encode(texts) } catch (e) {
 *   if (e instanceof ColbertError && e.code === ErrorCode.ModelFileMissing) showPicker();
 * }
 */
export class ColbertError extends Error {
  override readonly name = 'ColbertError';
  readonly code: ErrorCode;
  readonly subject: string | undefined;

  constructor(code: ErrorCode, message: string, details: ColbertErrorDetails & { cause?: unknown } = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.subject = details.subject;
  }

  /** A plain object that survives structured cloning; `fromJSON` restores the class. */
  toJSON(): SerializedColbertError {
    return { code: this.code, message: this.message, subject: this.subject };
  }

  static fromJSON(value: SerializedColbertError): ColbertError {
    return new ColbertError(value.code, value.message, { subject: value.subject });
  }
}

export interface SerializedColbertError {
  code: ErrorCode;
  message: string;
  subject: string | undefined;
}

export function isColbertError(value: unknown): value is ColbertError {
  return value instanceof ColbertError;
}

/** Throws `ColbertError(Aborted)` if the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new ColbertError(ErrorCode.Aborted, 'The operation was aborted.', { cause: signal.reason });
  }
}
