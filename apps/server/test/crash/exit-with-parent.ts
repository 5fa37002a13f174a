/**
 * Preloaded (node --import) into the crash test's worker processes, after tsx and before main.ts: the
 * worker's stdin is a pipe held by the test process, so when that process goes away, however it ends
 * (even SIGKILLed itself, when no afterAll runs), the pipe closes and the worker exits. No worker
 * outlives the test that started it.
 */
process.stdin.on('end', () => process.exit(1));
process.stdin.on('error', () => process.exit(1));
process.stdin.resume();
