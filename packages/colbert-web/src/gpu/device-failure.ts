import { ColbertError, ErrorCode } from '../errors.js';
import type { GpuContext } from './context.js';

/** BACKEND_FAILED saying the device was lost, naming `device`. */
export function deviceLostError(message: string, cause?: unknown): ColbertError {
  return new ColbertError(ErrorCode.BackendFailed, `The WebGPU device was lost (${message}); score on the CPU scorer instead.`, { subject: 'device', cause });
}

/**
 * Throws CLOSED after `dispose()` and BACKEND_FAILED after a device loss: what every GPU operation checks first.
 *
 * @example
 * assertUsable(context, 'This scorer was disposed; create a new one.');
 */
export function assertUsable(context: GpuContext, disposedMessage: string): void {
  if (context.isDisposed) throw new ColbertError(ErrorCode.Closed, disposedMessage);
  const lost = context.lost;
  if (lost) throw deviceLostError(lost.message);
}

/**
 * The typed error for a failed GPU operation: a ColbertError as it is, a device loss as BACKEND_FAILED saying so,
 * anything else as BACKEND_FAILED with the cause.
 *
 * @example
 * try { await context.readBack(out, 0, bytes, 'top k'); } catch (cause) { throw await gpuFailure(context, cause); }
 */
export async function gpuFailure(context: GpuContext, cause: unknown): Promise<unknown> {
  if (cause instanceof ColbertError) return cause;
  // A failed map or submit often comes a moment before device.lost resolves: give it that moment.
  await Promise.race([context.ended, new Promise((resolve) => setTimeout(resolve, 50))]);
  const lost = context.lost;
  if (lost) return deviceLostError(lost.message, cause);
  return new ColbertError(ErrorCode.BackendFailed, `WebGPU scoring failed: ${(cause as Error).message}`, { cause });
}
