/// <reference lib="webworker" />
import { expose } from 'comlink';
import { installTransferHandlers } from '../protocol/transfer-handlers.js';
import { SearchHost } from './search-host.js';

// A dedicated worker: one handle, one engine; the page terminates it on close.
installTransferHandlers();
expose(new SearchHost('dedicated').session());

export type { SearchWorkerApi } from './search-host.js';
