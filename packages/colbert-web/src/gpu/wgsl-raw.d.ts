// WGSL sources are imported as strings: Vite and vitest serve `?raw` themselves; plain Node uses
// scripts/raw-loader.mjs (node --import ./scripts/raw-loader.mjs).
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}
