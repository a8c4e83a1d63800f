import type { BackendPreference, GpuAdapterSummary, WebGpuSkipReason } from '../protocol/encoder-api.js';

/** What this realm offers for WebGPU, found without creating a device. */
export type WebGpuProbe =
  | { readonly available: true; readonly adapter: GpuAdapterSummary }
  | { readonly available: false; readonly reason: 'no-webgpu-api' | 'no-adapter' };

/**
 * Asks `navigator.gpu` for an adapter (the default one, as onnxruntime asks) and summarises it. Requesting an adapter
 * creates no device, so onnxruntime can still request its own.
 *
 * @example
 * const probe = await probeWebGpu();
 * if (probe.available && !probe.adapter.isFallbackAdapter) console.log('hardware WebGPU');
 */
export async function probeWebGpu(): Promise<WebGpuProbe> {
  const gpu = (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) return { available: false, reason: 'no-webgpu-api' };
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    adapter = null;
  }
  if (!adapter) return { available: false, reason: 'no-adapter' };
  return { available: true, adapter: summariseAdapter(adapter.info, adapter) };
}

/**
 * `GPUAdapterInfo` as plain data. `isFallbackAdapter` moved from the adapter to its info in 2024; both are read.
 *
 * @example
 * summariseAdapter(device.adapterInfo); // { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true }
 */
export function summariseAdapter(info: GPUAdapterInfo | undefined, adapter?: GPUAdapter): GpuAdapterSummary {
  const legacyFallback = (adapter as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter;
  const isFallbackAdapter = info?.isFallbackAdapter ?? legacyFallback ?? false;
  const summary = { vendor: info?.vendor ?? '', architecture: info?.architecture ?? '', isFallbackAdapter };
  return info?.description ? { ...summary, description: info.description } : summary;
}

/** The backend to create, or why WebGPU is skipped. */
export type BackendChoice =
  | { readonly backend: 'webgpu' }
  | { readonly backend: 'wasm'; readonly webgpuSkipped?: WebGpuSkipReason }
  | { readonly backend: 'unavailable'; readonly reason: 'no-webgpu-api' | 'no-adapter' };

/**
 * The backend policy. 'auto' takes WebGPU only on a hardware adapter: a software adapter (SwiftShader, WARP) runs
 * the same shaders on the CPU, slower than onnxruntime's WASM kernels. 'webgpu' takes any adapter.
 *
 * @example
 * chooseBackend('auto', await probeWebGpu()); // { backend: 'wasm', webgpuSkipped: 'software-adapter' } on SwiftShader
 */
export function chooseBackend(preference: BackendPreference, probe: WebGpuProbe | undefined): BackendChoice {
  if (preference === 'wasm') return { backend: 'wasm' };
  if (!probe || !probe.available) {
    const reason = probe?.reason ?? 'no-webgpu-api';
    if (preference === 'webgpu') return { backend: 'unavailable', reason };
    // Where there is no WebGPU API at all (Node) WASM is the only backend, not a fallback.
    return reason === 'no-webgpu-api' ? { backend: 'wasm' } : { backend: 'wasm', webgpuSkipped: reason };
  }
  if (preference === 'auto' && probe.adapter.isFallbackAdapter) return { backend: 'wasm', webgpuSkipped: 'software-adapter' };
  return { backend: 'webgpu' };
}

/** A loss of the device, told apart from one this process caused on purpose (web-llm's `deviceLostIsError`). */
export interface DeviceLossWatch {
  /** Resolves when the device is lost for a reason other than `expect()`; never rejects. */
  readonly lost: Promise<GPUDeviceLostInfo>;
  /** Whether `lost` has resolved. */
  readonly isLost: () => boolean;
  /** Marks a coming loss as deliberate (the owner is destroying the device): `lost` then never resolves. */
  readonly expect: () => void;
}

/**
 * Subscribes to `device.lost` once.
 *
 * @example
 * const watch = watchDeviceLoss(device);
 * void watch.lost.then((info) => recreate(info));
 */
export function watchDeviceLoss(device: GPUDevice): DeviceLossWatch {
  let deliberate = false;
  let lostInfo: GPUDeviceLostInfo | undefined;
  const lost = new Promise<GPUDeviceLostInfo>((resolve) => {
    void device.lost.then((info) => {
      if (deliberate) return;
      lostInfo = info;
      resolve(info);
    });
  });
  return { lost, isLost: () => lostInfo !== undefined, expect: () => void (deliberate = true) };
}
