import { transferHandlers } from 'comlink';
import type { TransferHandler } from 'comlink';
import { ColbertError } from '../errors.js';
import type { SerializedColbertError } from '../errors.js';

type Thrown = { value: unknown };
type WireThrown = { colbert: SerializedColbertError } | { other: unknown };

let installed = false;

/**
 * Registers comlink transfer handlers on this side of the boundary (call in both the page and the worker):
 * thrown `ColbertError`s keep their class and code, and `AbortSignal`s cross as a message port.
 */
export function installTransferHandlers(): void {
  if (installed) return;
  installed = true;
  const builtinThrow = transferHandlers.get('throw') as TransferHandler<Thrown, unknown>;
  const throwHandler: TransferHandler<Thrown, WireThrown> = {
    canHandle: (value): value is Thrown => builtinThrow.canHandle(value),
    serialize({ value }) {
      if (value instanceof ColbertError) return [{ colbert: value.toJSON() }, []];
      const [other, transferables] = builtinThrow.serialize({ value });
      return [{ other }, transferables];
    },
    deserialize(wire) {
      if ('colbert' in wire) throw ColbertError.fromJSON(wire.colbert);
      return builtinThrow.deserialize(wire.other);
    },
  };
  transferHandlers.set('throw', throwHandler as TransferHandler<unknown, unknown>);

  const abortHandler: TransferHandler<AbortSignal, { aborted: boolean; port: MessagePort }> = {
    canHandle: (value): value is AbortSignal => typeof AbortSignal !== 'undefined' && value instanceof AbortSignal,
    serialize(signal) {
      const { port1, port2 } = new MessageChannel();
      const onAbort = (): void => {
        port1.postMessage(String(signal.reason ?? 'aborted'));
        port1.close();
      };
      if (!signal.aborted) signal.addEventListener('abort', onAbort, { once: true });
      return [{ aborted: signal.aborted, port: port2 }, [port2]];
    },
    deserialize({ aborted, port }) {
      const controller = new AbortController();
      if (aborted) controller.abort();
      port.onmessage = (event: MessageEvent) => {
        controller.abort(event.data);
        port.close();
      };
      return controller.signal;
    },
  };
  transferHandlers.set('abort-signal', abortHandler as TransferHandler<unknown, unknown>);
}
