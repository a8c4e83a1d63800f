import { ColbertError, ErrorCode } from '../errors.js';

/** Limits the scorer asks for at the adapter's maximum: a default device binds only 128 MiB per buffer. */
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
] as const;

export interface RequestScorerDeviceOptions {
  /** The WebGPU entry point; default `navigator.gpu` (under Node, pass `create([])` of the npm package `webgpu`). */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
}

/**
 * A device of its own for the scorer, for when the encoder does not run on WebGPU (in the worker the scorer
 * shares onnxruntime's device instead). Asks for the adapter's largest buffer and binding limits, so that a
 * corpus needs fewer shards.
 *
 * @example
 * const device = await requestScorerDevice();
 * const scorer = await createWebGpuScorer({ device, dim: 96, precision: 'int8' });
 */
export async function requestScorerDevice(options: RequestScorerDeviceOptions = {}): Promise<GPUDevice> {
  const gpu = options.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) throw new ColbertError(ErrorCode.WebGpuUnavailable, 'WebGPU is not available here (no navigator.gpu); use the CPU scorer.');
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await gpu.requestAdapter(options.powerPreference ? { powerPreference: options.powerPreference } : undefined);
  } catch {
    adapter = null;
  }
  if (!adapter) throw new ColbertError(ErrorCode.WebGpuUnavailable, 'WebGPU has no adapter here; use the CPU scorer.');
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  try {
    return await adapter.requestDevice({ label: 'colbert-web scorer', requiredLimits });
  } catch (cause) {
    throw new ColbertError(ErrorCode.WebGpuUnavailable, `The WebGPU adapter refused a device: ${(cause as Error).message}`, { cause });
  }
}
