/**
 * bench/web-bundle: gzip size of the JS and CSS the console's first routes load (sign-in, dashboard),
 * next to a bare React + Vite "hello" app built in the same run with the same Vite, React and plugin.
 * Target: the first route loads ≤ 200 KB gzip JS. Usage: npm run bench:web-bundle
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const targetFirstRouteJsKb = 200;
const gzipKb = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length / 1024;

function buildConsole(): Record<string, { js: number; css: number }> {
  execFileSync('npm', ['run', 'build', '-w', '@omni/web'], { cwd: root, stdio: 'ignore' });
  const output = execFileSync('node', [path.join(root, 'apps/web/scripts/bundle-size.mjs'), '--json'], { cwd: root, encoding: 'utf8' });
  const sizes = JSON.parse(output) as Record<string, { jsGzipBytes: number; cssGzipBytes: number }>;
  return Object.fromEntries(Object.entries(sizes).map(([route, size]) => [route, { js: size.jsGzipBytes / 1024, css: size.cssGzipBytes / 1024 }]));
}

/** The alternative: the smallest React 19 app Vite builds, with the same toolchain from node_modules. */
function buildBareReactApp(): { js: number; css: number } {
  const directory = mkdtempSync(path.join(root, 'apps/web/.bench-hello-'));
  try {
    mkdirSync(path.join(directory, 'src'));
    writeFileSync(path.join(directory, 'index.html'), '<!doctype html><html><body><div id="root"></div><script type="module" src="/src/main.tsx"></script></body></html>');
    writeFileSync(
      path.join(directory, 'src/main.tsx'),
      "import { createRoot } from 'react-dom/client';\ncreateRoot(document.getElementById('root')!).render(<h1>Hello</h1>);\n",
    );
    writeFileSync(
      path.join(directory, 'vite.config.mjs'),
      "import { defineConfig } from 'vite';\nimport react from '@vitejs/plugin-react';\nexport default defineConfig({ plugins: [react()], logLevel: 'silent' });\n",
    );
    execFileSync(path.join(root, 'node_modules/.bin/vite'), ['build', '--config', 'vite.config.mjs'], { cwd: directory, stdio: 'ignore' });
    const assets = path.join(directory, 'dist/assets');
    const files = readdirSync(assets);
    const sum = (extension: string) => files.filter((file) => file.endsWith(extension)).reduce((total, file) => total + gzipKb(path.join(assets, file)), 0);
    return { js: sum('.js'), css: sum('.css') };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

const bare = buildBareReactApp();
const consoleRoutes = buildConsole();
const rows = [
  ['bare React + Vite hello', bare.js, bare.css],
  ...Object.entries(consoleRoutes).map(([route, size]) => [`Omni console: ${route}`, size.js, size.css] as const),
] as const;
console.log(`${'build'.padEnd(30)} ${'JS gzip'.padStart(10)} ${'CSS gzip'.padStart(10)} ${'JS × bare'.padStart(10)}`);
for (const [name, js, css] of rows) {
  console.log(`${name.padEnd(30)} ${`${js.toFixed(1)} KB`.padStart(10)} ${`${css.toFixed(1)} KB`.padStart(10)} ${`${(js / bare.js).toFixed(2)}×`.padStart(10)}`);
}
const firstRoute = consoleRoutes['sign-in'];
if (!firstRoute) throw new Error('bundle-size.mjs did not report the sign-in route');
const verdict = firstRoute.js <= targetFirstRouteJsKb ? 'PASS' : 'FAIL';
console.log(`\nfirst route (sign-in): ${firstRoute.js.toFixed(1)} KB gzip JS — target ≤ ${targetFirstRouteJsKb} KB: ${verdict}`);
