/** Progress events of long operations, keyed on `phase`. `loaded`/`total` are in the phase's unit. */
export type ProgressEvent =
  | DownloadProgressEvent
  | { phase: 'load'; step: 'weights' | 'tokenizer' | 'graph' | 'session'; loaded: number; total: number }
  | { phase: 'encode'; loaded: number; total: number }
  /** Documents of one `add` committed to the index (searchable). */
  | { phase: 'index'; loaded: number; total: number }
  /** Segments rewritten by `compact`. */
  | { phase: 'compact'; loaded: number; total: number }
  /** Bytes of an index file read by `import`. */
  | { phase: 'import'; loaded: number; total: number | undefined };

/**
 * Bytes of one checkpoint file, read from the network or from the model cache. Sources loaded from a URL also
 * say how far the whole load is: the files of a checkpoint are only known as it is read (modules.json names the
 * Dense modules), so `totalBytes` counts the files met so far and grows; the weights dominate it.
 */
export interface DownloadProgressEvent {
  phase: 'download';
  file: string;
  loaded: number;
  total: number | undefined;
  /** Bytes of every file this load has read so far, this one included (URL sources). */
  totalLoaded?: number;
  /** The sizes of those files; undefined while this file's size is unknown (URL sources). */
  totalBytes?: number | undefined;
  /** True when the bytes come from the model cache, false when from the network (cached URL sources). */
  fromCache?: boolean;
  /** The file was loaded but could not be stored for offline use; the load goes on. */
  warning?: DownloadWarning;
}

/** Why a downloaded file was not cached: the storage quota is full, or the cache refused it. */
export interface DownloadWarning {
  code: 'CACHE_QUOTA_EXCEEDED' | 'CACHE_WRITE_FAILED';
  message: string;
}

export type ProgressCallback = (event: ProgressEvent) => void;

/** The options object every long operation takes. */
export interface OperationOptions {
  signal?: AbortSignal;
  onProgress?: ProgressCallback;
}
