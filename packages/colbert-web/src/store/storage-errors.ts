import { ColbertError, ErrorCode } from '../errors.js';

function isQuotaError(error: unknown): boolean {
  let e: unknown = error;
  // A failed request aborts its transaction: the quota error may arrive as the abort's cause.
  for (let depth = 0; depth < 3 && e; depth++) {
    const name = (e as { name?: unknown }).name;
    if (name === 'QuotaExceededError') return true;
    e = (e as { cause?: unknown; error?: unknown }).cause ?? (e as { error?: unknown }).error;
  }
  return false;
}

/**
 * IndexedDB failures → ColbertError: QuotaExceededError → QUOTA_EXCEEDED, anything else that is not already a
 * ColbertError → STORAGE_FAILED. `what` says what was being done ("adding 120 documents to index notes").
 */
export function storageError(error: unknown, what: string): ColbertError {
  if (error instanceof ColbertError) return error;
  if (isQuotaError(error)) {
    return new ColbertError(
      ErrorCode.QuotaExceeded,
      `Storage quota exceeded while ${what}; nothing of it was committed and the index keeps its last state. Free space (remove documents, clear other data) or ask for persistent storage.`,
      { cause: error },
    );
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new ColbertError(ErrorCode.StorageFailed, `IndexedDB failed while ${what} (${message}); the index keeps its last committed state.`, { cause: error });
}
