// `npm run dev`: Vite with hot reload, proxying API calls to the platform. When nothing answers on the
// API address (OMNI_API_URL, default http://localhost:3000), the platform is started too (`omni start`)
// and stopped again with Ctrl-C.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repositoryRoot = path.resolve(webDir, '../..');
const apiUrl = process.env.OMNI_API_URL ?? 'http://localhost:3000';
const children = [];

async function isReady() {
  try {
    const response = await fetch(`${apiUrl}/readyz`, { signal: globalThis.AbortSignal.timeout(1500) });
    return response.ok;
  } catch {
    return false;
  }
}

function run(command, args, options) {
  const child = spawn(command, args, { stdio: 'inherit', ...options });
  children.push(child);
  child.on('exit', (code) => {
    if (!stopping) {
      console.error(`${command} ${args.join(' ')} exited (${code ?? 'signal'}); stopping.`);
      stop(code ?? 1);
    }
  });
  return child;
}

let stopping = false;
function stop(code = 0) {
  stopping = true;
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 200).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

if (!(await isReady())) {
  const port = new URL(apiUrl).port || '3000';
  console.log(`No API at ${apiUrl}; starting the platform (omni start on port ${port})…`);
  run('npx', ['tsx', 'apps/server/src/main.ts', 'start'], { cwd: repositoryRoot, env: { ...process.env, PORT: port } });
  const deadline = Date.now() + 180_000;
  while (!(await isReady())) {
    if (Date.now() > deadline) {
      console.error(`The API at ${apiUrl} did not become ready in 3 minutes.`);
      stop(1);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
if (!stopping) run('npx', ['vite', ...process.argv.slice(2)], { cwd: webDir, env: { ...process.env, OMNI_API_URL: apiUrl } });
