/**
 * A WebGPU device for a benchmark under Node through Dawn (npm `webgpu`), no browser: a hardware adapter where the
 * machine has one, else Chromium's SwiftShader. The dynamic loader reads LD_LIBRARY_PATH and VK_ICD_FILENAMES at
 * process start, so without them (and with SwiftShader installed) the script re-runs itself with them set.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';
import { requestScorerDevice } from '../packages/colbert-web/src/gpu/request-device.js';

const SWIFTSHADER = '/usr/lib/chromium/vk_swiftshader_icd.json';
/** Kept for the life of the process: when the GPU object is collected, Dawn tears down every device it made. */
let instance: GPU | undefined;

export interface BenchDevice {
  device: GPUDevice;
  /** The WebGPU entry point (kept alive by this module for the life of the process). */
  gpu: GPU;
  adapter: { vendor: string; architecture: string; description: string };
  /** SwiftShader (WebGPU on the CPU): its timings prove correctness, not speed. */
  software: boolean;
}

export async function benchDevice(): Promise<BenchDevice> {
  if (!process.env['VK_ICD_FILENAMES'] && !process.env['COLBERT_BENCH_HARDWARE_GPU'] && existsSync(SWIFTSHADER)) {
    const env = { ...process.env, LD_LIBRARY_PATH: '/usr/lib/chromium', VK_ICD_FILENAMES: SWIFTSHADER };
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env });
    process.exit(child.status ?? 1);
  }
  Object.assign(globalThis, globals);
  const gpu = (instance ??= create([]));
  const device = await requestScorerDevice({ gpu, powerPreference: 'high-performance' });
  const { vendor, architecture, description } = device.adapterInfo;
  const adapter = { vendor, architecture, description };
  return { device, gpu, adapter, software: /swiftshader/i.test(`${architecture} ${description}`) };
}
