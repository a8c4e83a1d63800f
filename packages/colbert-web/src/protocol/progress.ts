/** Progress events of long operations, keyed on `phase`. `loaded`/`total` are in the phase's unit. */
export type ProgressEvent =
  | { phase: 'download'; file: string; loaded: number; total: number | undefined }
  | { phase: 'load'; step: 'weights' | 'tokenizer' | 'graph' | 'session'; loaded: number; total: number }
  | { phase: 'encode'; loaded: number; total: number };

export type ProgressCallback = (event: ProgressEvent) => void;

/** The options object every long operation takes. */
export interface OperationOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}
