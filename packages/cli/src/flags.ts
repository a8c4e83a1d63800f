import { statSync } from 'node:fs';
import { ColbertError, ErrorCode } from 'colbert-web/node';

/** A bad flag value as the CLI reports it: INVALID_INPUT naming the flag. */
export function invalidFlag(flag: string, message: string): ColbertError {
  return new ColbertError(ErrorCode.InvalidInput, message, { subject: flag });
}

/** The flag's value if it is one of `allowed`. */
export function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw invalidFlag(flag, `${flag} must be one of ${allowed.join(', ')} (got "${value}").`);
  return value as T;
}

/** A positive integer (`integer`) or a non-negative number. */
export function number(flag: string, value: string, integer: boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || (integer && (!Number.isSafeInteger(n) || n < 1))) {
    throw invalidFlag(flag, `${flag} must be a ${integer ? 'positive integer' : 'non-negative number'} (got "${value}").`);
  }
  return n;
}

/** `--threads N` when given: a positive integer. */
export function threadsFlag(value: string | undefined): { threads?: number } {
  return value === undefined ? {} : { threads: number('--threads', value, true) };
}

/** `path` if it names a file; checked before a model loads, so a typo fails at once. */
export function existingFile(what: string, path: string): string {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new ColbertError(ErrorCode.InvalidInput, `${what} ${path} does not exist.`, { subject: path });
  }
  if (!isFile) throw new ColbertError(ErrorCode.InvalidInput, `${what} ${path} is not a file.`, { subject: path });
  return path;
}
