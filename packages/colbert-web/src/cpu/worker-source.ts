/**
 * The scoring worker threads' code, as a string: it runs as a Blob-URL worker in browsers and as an `eval`
 * worker_threads worker in Node, so no bundler (Vite dev or build), test runner or the tsc-built dist has to find,
 * transform or serve a separate worker file. It is deliberately tiny: instantiate the shared kernels on the shared
 * memory, then run a kernel on a job block whenever asked; all the logic lives in the kernels and in
 * thread-pool.ts.
 *
 * @example
 * new Worker(URL.createObjectURL(new Blob([browserWorkerSource], { type: 'text/javascript' })));
 */
const handler = `
let kernels;
function handle(message, post) {
  if (message.type === 'init') {
    try {
      kernels = new WebAssembly.Instance(message.module, { env: { memory: message.memory } }).exports;
      post({ type: 'ready' });
    } catch (error) {
      post({ type: 'error', message: String(error) });
    }
    return;
  }
  try {
    kernels[message.kernel](message.job);
    post({ type: 'done' });
  } catch (error) {
    post({ type: 'error', message: String(error) });
  }
}
`;

export const browserWorkerSource = `${handler}
self.onmessage = (event) => handle(event.data, (reply) => self.postMessage(reply));
`;

export const nodeWorkerSource = `${handler}
const { parentPort } = require('node:worker_threads');
parentPort.on('message', (message) => handle(message, (reply) => parentPort.postMessage(reply)));
`;
