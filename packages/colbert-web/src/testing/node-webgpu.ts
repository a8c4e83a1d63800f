import { create, globals } from 'webgpu';
import { requestScorerDevice } from '../gpu/request-device.js';

/** Kept for the life of the process: when the `GPU` object is garbage-collected, Dawn tears down the instance under every device it made (and the process aborts in a mutex). */
let gpu: GPU | undefined;

/**
 * A WebGPU device under Node through the npm package `webgpu` (Dawn). Here its adapter is SwiftShader, found
 * through LD_LIBRARY_PATH and VK_ICD_FILENAMES (set in vitest.config.ts). One per test file: an adapter may
 * yield only one device.
 */
export async function nodeScorerDevice(): Promise<GPUDevice> {
  Object.assign(globalThis, globals);
  gpu ??= create([]);
  return requestScorerDevice({ gpu });
}

/**
 * A device with WebGPU's default limits (8 storage buffers per stage, 128 MiB bindings): what onnxruntime-web's
 * device offers the kernels that share it. From its own adapter (an adapter may yield only one device).
 */
export async function nodeDefaultLimitsDevice(): Promise<GPUDevice> {
  Object.assign(globalThis, globals);
  gpu ??= create([]);
  const adapter = await gpu.requestAdapter();
  if (!adapter) throw new Error('No WebGPU adapter under Node (is SwiftShader on LD_LIBRARY_PATH / VK_ICD_FILENAMES?).');
  return adapter.requestDevice({ label: 'default limits' });
}
