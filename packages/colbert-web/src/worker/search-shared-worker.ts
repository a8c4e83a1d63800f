/// <reference lib="webworker" />
import { expose } from 'comlink';
import { installTransferHandlers } from '../protocol/transfer-handlers.js';
import { SearchHost } from './search-host.js';

// One SharedWorker per origin serves every tab: each connection is one handle's session on the shared engines.
installTransferHandlers();
const host = new SearchHost('shared');

(self as unknown as SharedWorkerGlobalScope).onconnect = (event: MessageEvent) => {
  const port = event.ports[0];
  if (port) expose(host.session(), port);
};
