#!/usr/bin/env node
// The package suite (`npm test -- package`): what a new user gets from `npm install colbert-web`. Builds the SDK, packs
// it (`npm pack`), checks the tarball (README, LICENSE, CHANGELOG; no test-only modules; source maps that carry their
// sources; `npm publish --dry-run` clean), installs it in fresh apps copied from examples/ into a temp folder outside
// the repository, type-checks them with skipLibCheck off (a Vite template config; Node `nodenext` + types node), builds
// the README example with Vite, webpack, esbuild and Rollup, runs each build in Chromium and the Node script in Node,
// and checks their results. The npm registry is the only network it needs (the tarball's dependencies); the
// bundlers and Playwright come from this repository's devDependencies, linked into the apps.
import { spawnSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve } from 'node:path';
import { chromium } from '@playwright/test';

const root = resolve(import.meta.dirname, '..');
const sdk = join(root, 'packages/colbert-web');
const work = mkdtempSync(join(tmpdir(), 'colbert-web-package-'));
const apps = join(work, 'apps');
const started = Date.now();
const failures = [];

function step(name) {
  console.log(`\n--- ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}

/**
 * The environment of commands run in the temp apps: this process's, minus the npm settings `npm test` exports from
 * the repository's .npmrc (npm_config_*: they would make npm there warn about a config it does not know), plus the
 * variable onnxruntime-node's install script reads.
 */
const appEnv = Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_config_onnxruntime/i.test(key)));
appEnv.ONNXRUNTIME_NODE_INSTALL = 'skip';

function run(command, args, cwd, { quiet = false } = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: appEnv });
  if (!quiet || result.status !== 0) process.stdout.write(result.stdout + result.stderr);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status}`);
  return result;
}

function check(condition, message) {
  if (condition) console.log(`  ok   ${message}`);
  else {
    console.log(`  FAIL ${message}`);
    failures.push(message);
  }
}

try {
  step('build the SDK from a clean dist');
  // tsc -b skips a project whose .tsbuildinfo says it is built: remove both, so stale files cannot ship.
  rmSync(join(sdk, 'dist'), { recursive: true, force: true });
  rmSync(join(sdk, 'tsconfig.build.tsbuildinfo'), { force: true });
  run('npm', ['run', 'build'], root, { quiet: true });

  step('pack and inspect the tarball');
  const [packed] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', work], sdk, { quiet: true }).stdout);
  const tarball = join(work, packed.filename);
  const files = packed.files.map((f) => f.path);
  for (const name of ['README.md', 'LICENSE', 'CHANGELOG.md', 'package.json']) check(files.includes(name), `the tarball has ${name}`);
  check(!files.some((f) => f.includes('/testing/') || /\.test\.(js|d\.ts)/.test(f)), 'no test-only modules (src/testing, *.test) in dist');
  check(!files.some((f) => f.startsWith('src/') || f.endsWith('.wgsl')), 'no sources or raw .wgsl shipped: the shaders are ES modules');
  const maps = files.filter((f) => f.endsWith('.js.map'));
  const withSources = maps.filter((f) => JSON.parse(readFileSync(join(sdk, f), 'utf8')).sourcesContent?.every((s) => typeof s === 'string'));
  check(maps.length > 0 && withSources.length === maps.length, `every source map embeds its sources (${withSources.length}/${maps.length})`);
  const js = files.filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(sdk, f), 'utf8'));
  check(!js.some((text) => text.includes('?raw')), 'no bundler-specific `?raw` import in dist');
  const manifest = JSON.parse(readFileSync(join(sdk, 'package.json'), 'utf8'));
  const tested = JSON.parse(readFileSync(join(root, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version;
  check(manifest.dependencies['onnxruntime-web'] === tested, `onnxruntime-web pinned to the tested ${tested} (got ${manifest.dependencies['onnxruntime-web']})`);
  // The tarball itself, from outside the repository: what is published, not this workspace's own npm settings.
  const publish = run('npm', ['publish', tarball, '--dry-run', '--tag', 'package-suite'], work, { quiet: true });
  // Being logged in is the publisher's business, not the package's: that one warning is expected here.
  const warnings = (publish.stderr + publish.stdout).split('\n').filter((l) => /npm warn/i.test(l) && !/requires you to be logged in/.test(l));
  check(warnings.length === 0, `npm publish --dry-run is clean${warnings.length ? `: ${warnings.join(' | ')}` : ''}`);

  step('install the tarball in fresh apps outside the repository');
  cpSync(join(root, 'examples'), apps, { recursive: true, filter: (from) => !/node_modules|[\\/]dist$/.test(from) });
  run('npm', ['init', '-y'], apps, { quiet: true });
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], apps, { quiet: true });
  const installedOrt = JSON.parse(readFileSync(join(apps, 'node_modules/onnxruntime-web/package.json'), 'utf8')).version;
  check(installedOrt === tested, `the app gets onnxruntime-web ${tested} (got ${installedOrt})`);
  // Tools from this repository's devDependencies (so `npm ci` provides them offline): linked, not installed.
  for (const tool of ['vite', 'webpack', 'esbuild', 'rollup', '@rollup/plugin-node-resolve', 'typescript', '@types/node']) {
    const link = join(apps, 'node_modules', tool);
    if (existsSync(link)) continue;
    mkdirSync(join(link, '..'), { recursive: true });
    symlinkSync(join(root, 'node_modules', tool), link, 'dir');
  }

  step('the offline lexical model, from the CLI');
  const models = join(work, 'models');
  run('node', [join(root, 'packages/cli/bin/colbert-web.js'), 'make-lexical-model', '--out', join(models, 'lexical')], root);
  cpSync(models, join(apps, 'vite-app/public/models'), { recursive: true });

  step('types compile with skipLibCheck: false');
  const tsc = join(apps, 'node_modules/typescript/bin/tsc');
  for (const app of ['vite-app', 'node-script']) {
    const result = spawnSync('node', [tsc, '-p', 'tsconfig.json'], { cwd: join(apps, app), encoding: 'utf8' });
    check(result.status === 0, `${app}: tsc (${app === 'vite-app' ? 'Vite template config' : 'nodenext, types: ["node"]'})${result.status ? `\n${result.stdout}` : ''}`);
  }

  step('Node: the README example of colbert-web/node');
  const node = JSON.parse(run('node', ['main.mjs', join(models, 'lexical')], join(apps, 'node-script')).stdout.trim().split('\n').at(-1));
  check(node.backend === 'wasm' && node.queryRows === 32 && node.dim === 128, `loadEncoderFrom: a 32-row query of dim 128 on wasm (${JSON.stringify(node)})`);
  check(node.scores[0] > node.scores[1] + 1, `the heart-attack document outranks the bread one (${node.scores.map((s) => s.toFixed(2)).join(' > ')})`);

  step('build the README example with each bundler');
  const builds = {
    vite: () => run('node', [join(apps, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], join(apps, 'vite-app')) && join(apps, 'vite-app/dist'),
    webpack: () => run('node', ['build.mjs'], join(apps, 'bundlers/webpack')) && join(apps, 'bundlers/webpack/dist'),
    esbuild: () => run('node', ['build.mjs'], join(apps, 'bundlers/esbuild')) && join(apps, 'bundlers/esbuild/dist'),
    rollup: () => run('node', ['build.mjs'], join(apps, 'bundlers/rollup')) && join(apps, 'bundlers/rollup/dist'),
  };
  const sites = {};
  for (const [name, build] of Object.entries(builds)) {
    const t = Date.now();
    try {
      sites[name] = build();
      check(true, `${name} build (${((Date.now() - t) / 1000).toFixed(1)} s)`);
    } catch (error) {
      check(false, `${name} build: ${error.message}`);
    }
  }

  step('run each build in Chromium');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    for (const [name, dir] of Object.entries(sites)) {
      const server = await serve(dir, models);
      const page = await browser.newPage();
      const problems = [];
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`));
      page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`));
      const t = Date.now();
      try {
        await page.goto(server.url);
        const result = await page.waitForFunction(() => globalThis.exampleResult, undefined, { timeout: 90_000 }).then((h) => h.jsonValue());
        const [top] = result.hits;
        const heart = top?.matches?.some((m) => m.documentToken === 'heart');
        check(top?.id === 'a1' && heart && result.info.documents === 2, `${name}: the README example ranks a1 first with "heart" matched (${((Date.now() - t) / 1000).toFixed(1)} s, worker ${result.info.worker?.kind ?? '?'})`);
      } catch (error) {
        check(false, `${name}: ${error.message.split('\n')[0]}`);
      }
      check(problems.length === 0, `${name}: no page errors or failed requests${problems.length ? `\n    ${problems.join('\n    ')}` : ''}`);
      await page.close();
      await server.close();
    }
  } finally {
    await browser.close();
  }
} catch (error) {
  failures.push(error.message);
  console.log(`  FAIL ${error.message}`);
} finally {
  if (!process.env.KEEP_PACKAGE_APPS) rmSync(work, { recursive: true, force: true });
  else console.log(`apps kept in ${work}`);
}

console.log(`\npackage suite: ${failures.length ? `${failures.length} FAILED` : 'passed'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(failures.length ? 1 : 0);

/** A static host with the headers the README asks for: the site, plus the model under /models/. */
function serve(site, models) {
  const types = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    if (path === '/favicon.ico') {
      res.writeHead(204).end(); // the browser asks on its own; not part of the example
      return;
    }
    const [base, rest] = path.startsWith('/models/') ? [models, path.slice('/models/'.length)] : [site, path.slice(1) || 'index.html'];
    const file = normalize(join(base, rest));
    if (!file.startsWith(base) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': types[extname(file)] ?? 'application/octet-stream',
      'content-length': statSync(file).size,
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      etag: `"${statSync(file).mtimeMs}"`,
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((done) =>
    server.listen(0, '127.0.0.1', () =>
      done({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((closed) => server.close(closed)) }),
    ),
  );
}
