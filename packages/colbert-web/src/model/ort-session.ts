import * as ort from 'onnxruntime-web';
import { ColbertError, ErrorCode } from '../errors.js';
import type { BackendInfo, BackendPreference, DeviceLostInfo, WasmBackendInfo, WebGpuBackendInfo, WebGpuSkipReason } from '../protocol/encoder-api.js';
import { captureOrtLog, classifyPlacement, installOrtLogTap, parsePlacementLog } from './node-placements.js';
import { readOnnxTopology } from './onnx-topology.js';
import type { DeviceLossWatch } from './webgpu-support.js';
import { chooseBackend, probeWebGpu, summariseAdapter, watchDeviceLoss } from './webgpu-support.js';

import type { OutputLocation } from './prepared.js';

/**
 * Runs an ONNX model (bytes) with onnxruntime-web on exactly one execution provider and reports which one really
 * ran. On WebGPU it survives a device loss: the next `run` (and the one in flight) goes to a WASM session.
 */
export interface OrtSession {
  /** What runs now; changes from 'webgpu' to 'wasm' after a device loss. */
  readonly backend: BackendInfo;
  /** Where outputs of the next `run` are: 'gpu-buffer' only on WebGPU when asked for. Check `tensor.location` too. */
  readonly outputLocation: OutputLocation;
  /**
   * Runs the model. `options.outputLocation: 'cpu'` reads a 'gpu-buffer' session's outputs back (inside the
   * device-loss guard) for this run only; left out, outputs are where `outputLocation` says.
   */
  run(feeds: Record<string, ort.Tensor>, options?: RunOptions): Promise<Record<string, ort.Tensor>>;
  release(): Promise<void>;
}

/** Builds the session a model runs in: `createOrtSession` (onnxruntime-web) or, in Node, `createNativeSession`. */
export type SessionFactory = (model: Uint8Array, options: OrtSessionOptions) => Promise<OrtSession>;

/** Per-run options of `OrtSession.run`. */
export interface RunOptions {
  /** 'cpu': outputs on the CPU even when the session keeps them on the GPU. Default: the session's location. */
  outputLocation?: OutputLocation;
}

/** A real loss of the WebGPU device (not a release): the session moved to WASM. */
export interface DeviceLostEvent {
  readonly type: 'device-lost';
  readonly info: DeviceLostInfo;
  readonly recoveredTo: 'wasm';
}

export interface OrtSessionOptions {
  /** 'auto' (default): WebGPU on a hardware adapter, else WASM. 'webgpu': any adapter, else WEBGPU_UNAVAILABLE. */
  backend?: BackendPreference;
  /** WASM threads wanted; ORT lowers it to 1 where threads are unavailable (not cross-origin isolated). */
  threads?: number;
  /**
   * 'gpu-buffer' keeps outputs on the GPU on WebGPU (`tensor.gpuBuffer` on `webGpuDevice()`, read with
   * `getData()`, free with `dispose()`), for consumers that stay on the GPU. WASM always gives 'cpu'. Default 'cpu'.
   */
  outputLocation?: OutputLocation;
  /** Called once when the WebGPU device is lost; runs already go to WASM when it is called. */
  onDeviceLost?: (event: DeviceLostEvent) => void;
}

/**
 * @example
 * const session = await createOrtSession(buildEncoderGraph(checkpoint), { backend: 'auto' });
 * session.backend; // { name: 'webgpu', adapter: { vendor: 'nvidia', … }, fallbackNodes: 0, … } or { name: 'wasm', … }
 */
export async function createOrtSession(model: Uint8Array, options: OrtSessionOptions = {}): Promise<OrtSession> {
  const preference = options.backend ?? 'auto';
  if (!PREFERENCES.includes(preference)) {
    throw new ColbertError(ErrorCode.InvalidInput, `backend must be 'auto', 'webgpu' or 'wasm' (got ${JSON.stringify(preference)}).`, { subject: 'backend' });
  }
  const probe = preference === 'wasm' ? undefined : await probeWebGpu();
  // The placement log is read through the console, which onnxruntime's WASM module binds when it starts: the tap
  // goes in before the realm's first session, whatever its backend, since a later one of the same realm (another
  // engine of a SharedWorker) may be a WebGPU session.
  installOrtLogTap();
  initialiseWasmRuntime(options.threads);
  let choice = chooseBackend(preference, probe);
  if (choice.backend === 'webgpu' && deviceLostInRealm) {
    // onnxruntime keeps one device per realm and cannot replace it: a new WebGPU session would hang.
    if (preference === 'webgpu') throw new ColbertError(ErrorCode.BackendFailed, 'The WebGPU device of this worker was lost and onnxruntime cannot replace it; create a new encoder (a new worker).', { subject: 'backend' });
    choice = { backend: 'wasm', webgpuSkipped: 'device-lost' };
  }
  if (choice.backend === 'unavailable') {
    const why = choice.reason === 'no-webgpu-api' ? 'this environment has no WebGPU API (navigator.gpu is undefined)' : 'navigator.gpu.requestAdapter() found no adapter (Chrome needs a supported GPU, or --enable-unsafe-webgpu)';
    throw new ColbertError(ErrorCode.WebGpuUnavailable, `backend 'webgpu' was asked for, but ${why}. Use backend 'auto' to fall back to WASM.`, { subject: 'backend' });
  }
  if (choice.backend === 'webgpu') {
    try {
      return new ManagedSession(model, options, await createWebGpuState(model, options.outputLocation ?? 'cpu'));
    } catch (cause) {
      if (preference === 'webgpu') {
        throw new ColbertError(ErrorCode.BackendFailed, `onnxruntime-web could not create a WebGPU session: ${(cause as Error).message}. Use backend 'auto' or 'wasm'.`, { cause, subject: 'backend' });
      }
      choice = { backend: 'wasm', webgpuSkipped: 'session-failed' };
    }
  }
  return new ManagedSession(undefined, options, await createWasmState(model, choice.webgpuSkipped));
}

/**
 * The GPUDevice onnxruntime's WebGPU EP runs on in this realm (onnxruntime creates one and keeps it), so that a
 * consumer of 'gpu-buffer' outputs can use the same device. Undefined before the first WebGPU session, and after
 * the device was lost.
 *
 * @example
 * const device = webGpuDevice();
 * if (device && out.location === 'gpu-buffer') scorePass(device, out.gpuBuffer);
 */
export function webGpuDevice(): GPUDevice | undefined {
  return currentDevice;
}

const PREFERENCES: readonly string[] = ['auto', 'webgpu', 'wasm'] satisfies BackendPreference[];

let wasmInitialised = false;
let currentDevice: GPUDevice | undefined;
let deviceLostInRealm = false;

function initialiseWasmRuntime(threads: number | undefined): void {
  // numThreads is read once, when the WASM runtime starts; later sessions share that runtime.
  if (!wasmInitialised) ort.env.wasm.numThreads = threads ?? defaultThreads();
  wasmInitialised = true;
}

type SessionState =
  | { readonly kind: 'wasm'; readonly session: ort.InferenceSession; readonly info: WasmBackendInfo }
  | { readonly kind: 'webgpu'; readonly session: ort.InferenceSession; readonly info: WebGpuBackendInfo; readonly watch: DeviceLossWatch };

async function createWasmState(model: Uint8Array, webgpuSkipped?: WebGpuSkipReason, deviceLost?: DeviceLostInfo): Promise<SessionState> {
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
  } catch (cause) {
    throw new ColbertError(ErrorCode.BackendFailed, `onnxruntime-web could not create a WASM session: ${(cause as Error).message}`, { cause });
  }
  const info: WasmBackendInfo = {
    name: 'wasm',
    ...wasmRuntime(),
    ...(webgpuSkipped ? { webgpuSkipped } : {}),
    ...(deviceLost ? { deviceLost } : {}),
  };
  return { kind: 'wasm', session, info };
}

async function createWebGpuState(model: Uint8Array, outputLocation: OutputLocation): Promise<SessionState> {
  // Verbose session logging makes onnxruntime list where each node of the optimised graph runs.
  const { value: session, lines } = await captureOrtLog(() =>
    ort.InferenceSession.create(model, {
      executionProviders: ['webgpu'],
      graphOptimizationLevel: 'all',
      logSeverityLevel: 0,
      ...(outputLocation === 'gpu-buffer' ? { preferredOutputLocation: 'gpu-buffer' as const } : {}),
    }),
  );
  const device = await ort.env.webgpu.device;
  if (device !== currentDevice) {
    currentDevice = device;
    // Whoever loses it, onnxruntime's WebGPU EP is dead in this realm from then on.
    void device.lost.then(() => {
      deviceLostInRealm = true;
      if (currentDevice === device) currentDevice = undefined;
    });
  }
  const adapterInfo = device.adapterInfo ?? (ort.env.webgpu.adapter as GPUAdapter | undefined)?.info;
  const placements = parsePlacementLog(lines);
  const placement = placements ? classifyPlacement(placements, readOnnxTopology(model)) : null;
  const info: WebGpuBackendInfo = {
    name: 'webgpu',
    ...wasmRuntime(),
    adapter: summariseAdapter(adapterInfo),
    fallbackNodes: placement ? placement.cpuFallback.length : null,
    placement,
  };
  return { kind: 'webgpu', session, info, watch: watchDeviceLoss(device) };
}

function wasmRuntime(): { threads: number; simd: boolean } {
  // ORT rewrites env.wasm.numThreads to 1 when multi-threading is unavailable: read back what it uses.
  return { threads: ort.env.wasm.numThreads ?? 1, simd: ort.env.wasm.simd !== false };
}

const LOST = Symbol('device lost');
/** How long a failed WebGPU run waits for `device.lost` before the failure counts as the run's own. */
const LOSS_GRACE_MS = 100;

class ManagedSession implements OrtSession {
  #state: SessionState;
  /** Kept only while a device loss may need a WASM session built from it. */
  #model: Uint8Array | undefined;
  #recovery: Promise<void> | undefined;
  #released = false;
  /** A WebGPU run was left hanging on the lost device (see `#runWasm`). */
  #abandonedRun = false;

  constructor(
    model: Uint8Array | undefined,
    private readonly options: OrtSessionOptions,
    state: SessionState,
  ) {
    this.#state = state;
    if (state.kind !== 'webgpu') return;
    this.#model = model;
    void state.watch.lost.then((info) => this.#onDeviceLost(info));
  }

  get backend(): BackendInfo {
    return this.#state.info;
  }

  get outputLocation(): OutputLocation {
    return this.#state.kind === 'webgpu' && this.options.outputLocation === 'gpu-buffer' ? 'gpu-buffer' : 'cpu';
  }

  async run(feeds: Record<string, ort.Tensor>, options: RunOptions = {}): Promise<Record<string, ort.Tensor>> {
    const toCpu = options.outputLocation === 'cpu' && this.outputLocation === 'gpu-buffer';
    for (;;) {
      if (this.#recovery) await this.#recovery;
      const state = this.#state;
      if (state.kind === 'wasm') return this.#runWasm(state.session, feeds);
      // A run on a destroyed device never settles: race it with the loss and run again on the WASM session.
      const run = async (): Promise<Record<string, ort.Tensor>> => {
        const outputs = (await state.session.run(feeds)) as Record<string, ort.Tensor>;
        return toCpu ? readBack(outputs) : outputs;
      };
      let outcome: Record<string, ort.Tensor> | typeof LOST;
      try {
        outcome = await Promise.race([run(), state.watch.lost.then((): typeof LOST => LOST)]);
      } catch (error) {
        const lost = await Promise.race([state.watch.lost.then(() => true), delay(LOSS_GRACE_MS).then(() => false)]);
        if (!lost) throw error;
        continue;
      }
      if (outcome !== LOST) return outcome;
      this.#abandonedRun = true;
    }
  }

  async #runWasm(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    try {
      return (await session.run(feeds)) as Record<string, ort.Tensor>;
    } catch (error) {
      // onnxruntime-web's JSEP module allows one run at a time, and the run abandoned on the lost device never ends:
      // the next run is refused with this message, which also clears the guard, so a second attempt runs.
      if (!this.#abandonedRun || !(error as Error).message?.includes('Session already started')) throw error;
      this.#abandonedRun = false;
      return (await session.run(feeds)) as Record<string, ort.Tensor>;
    }
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    const state = this.#state;
    // Losses after this point are not ours to report (onnxruntime keeps the device for other sessions).
    if (state.kind === 'webgpu') state.watch.expect();
    await this.#recovery?.catch(() => undefined);
    this.#model = undefined;
    await this.#state.session.release();
  }

  #onDeviceLost(lost: GPUDeviceLostInfo): void {
    if (this.#released) return;
    const info: DeviceLostInfo = { reason: lost.reason, message: lost.message };
    const model = this.#model!;
    this.#model = undefined;
    this.#recovery = createWasmState(model, 'device-lost', info).then((state) => {
      const dead = this.#state.session;
      this.#state = state;
      // The WebGPU session may still be inside a run that will never finish: let it go without waiting.
      void dead.release().catch(() => undefined);
      this.options.onDeviceLost?.({ type: 'device-lost', info, recoveredTo: 'wasm' });
    });
    // A failed recovery surfaces on the next run(); until then it is not an unhandled rejection.
    this.#recovery.catch(() => undefined);
  }
}

/** Outputs moved to the CPU: GPU tensors are downloaded and their GPU data released. */
async function readBack(outputs: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const entries = await Promise.all(
    Object.entries(outputs).map(async ([name, tensor]): Promise<[string, ort.Tensor]> => {
      if (tensor.location !== 'gpu-buffer') return [name, tensor];
      // getData(true) downloads and then releases the GPU buffer.
      const data = await tensor.getData(true);
      return [name, new ort.Tensor(tensor.type as 'float32', data as Float32Array, tensor.dims)];
    }),
  );
  return Object.fromEntries(entries);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Every core but one, at most 4: the page's own scripts keep a core while a long add encodes (on a 2-core machine
 * two encoder threads left the page none: a page script took 139 ms during an add), and onnxruntime gains
 * little beyond 4.
 */
function defaultThreads(): number {
  const cores = globalThis.navigator?.hardwareConcurrency ?? 1;
  return Math.max(1, Math.min(4, cores - 1));
}
