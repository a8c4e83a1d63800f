#!/usr/bin/env node
// Runs every test suite in order (all of them, even after a failure, so one run shows every problem) and prints
// each one's duration: `npm test`.
import { spawnSync } from 'node:child_process';

const suites = [
  ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json']],
  ['lint', 'npx', ['eslint', '.']],
  ['unit (vitest, Node)', 'npx', ['vitest', 'run']],
  ['browser (Playwright, Chromium)', 'npx', ['playwright', 'test']],
  ['package (the packed tarball in fresh Vite, webpack, esbuild, Rollup and Node apps)', 'node', ['scripts/test-package.mjs']],
];
const only = process.argv.slice(2);
const results = [];
for (const [name, command, args] of suites) {
  if (only.length && !only.some((o) => name.startsWith(o))) continue;
  const started = Date.now();
  console.log(`\n=== ${name}`);
  const { status } = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, CI: process.env.CI ?? '1' } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  results.push({ name, status, seconds });
  console.log(`=== ${name}: ${status === 0 ? 'passed' : 'FAILED'} in ${seconds} s`);
}
console.log('\nsuite durations:');
for (const r of results) console.log(`  ${r.status === 0 ? 'ok  ' : 'FAIL'} ${r.name}: ${r.seconds} s`);
process.exit(results.every((r) => r.status === 0) ? 0 : 1);
