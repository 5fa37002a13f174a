// Gzip size of the JS and CSS each console route loads on a cold visit (entry + its static imports +
// the route's lazy chunk and its imports), from the Vite build manifest. Usage after `npm run build`:
//   node apps/web/scripts/bundle-size.mjs [--json]
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../dist');
const manifest = JSON.parse(readFileSync(path.join(dist, '.vite/manifest.json'), 'utf8'));
const routes = {
  'sign-in': 'src/modules/auth/SignInPage.tsx',
  dashboard: 'src/modules/dashboard/DashboardPage.tsx',
};

function collect(key, files = new Set()) {
  const chunk = manifest[key];
  if (!chunk || files.has(chunk.file)) return files;
  files.add(chunk.file);
  for (const css of chunk.css ?? []) files.add(css);
  for (const imported of chunk.imports ?? []) collect(imported, files);
  return files;
}

const entryKey = Object.keys(manifest).find((key) => manifest[key].isEntry);
const gzip = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const result = {};
for (const [route, source] of Object.entries(routes)) {
  const files = collect(source, collect(entryKey));
  const js = [...files].filter((file) => file.endsWith('.js')).reduce((sum, file) => sum + gzip(file), 0);
  const css = [...files].filter((file) => file.endsWith('.css')).reduce((sum, file) => sum + gzip(file), 0);
  result[route] = { jsGzipBytes: js, cssGzipBytes: css, files: files.size };
}
if (process.argv.includes('--json')) console.log(JSON.stringify(result));
else for (const [route, size] of Object.entries(result)) console.log(`${route.padEnd(10)} JS ${(size.jsGzipBytes / 1024).toFixed(1)} KB gzip, CSS ${(size.cssGzipBytes / 1024).toFixed(1)} KB gzip (${size.files} files)`);
