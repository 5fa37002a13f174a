import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/kernel/config.js';

const serverDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** A worker is killed only once it has run jobs this long (not while it is still loading its code). */
const defaultMinimumRunMs = 2_500;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values: number[]) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)] ?? 0;

/**
 * A crash test's worker configuration: the whole environment (nothing inherited by accident), pointing at
 * the crash database, with the test's `settings` (fakes, engine settings) on top.
 */
export function workerEnvironment(database: { ownerUrl: string; appUrl: string }, config: Config, logDirectory: string, settings: Record<string, string>): Record<string, string> {
  return {
    NODE_ENV: 'test',
    // info: the workers announce 'worker started', which tells the test they run jobs.
    LOG_LEVEL: 'info',
    DATA_DIR: logDirectory,
    DATABASE_URL: database.ownerUrl,
    APP_DATABASE_URL: database.appUrl,
    JWT_SECRET: config.JWT_SECRET,
    ENCRYPTION_KEY: config.ENCRYPTION_KEY,
    SEED_DEMO: 'false',
    DB_POOL_MAX: '10',
    WORKER_CONCURRENCY: '6',
    ...(config.REDIS_URL ? { REDIS_URL: config.REDIS_URL } : {}),
    ...settings,
  };
}

/** Run `action` every `everyMs` until `stopped()` (the minute sweep, for instance, every few seconds). */
export async function repeatUntil(stopped: () => boolean, everyMs: number, action: () => Promise<void>): Promise<void> {
  while (!stopped()) {
    await action();
    await sleep(everyMs);
  }
}

type WorkerSlot = { incarnation: number; child: ChildProcess; exited: Promise<void>; logFile: string; isReady: boolean; readyAt: number };

/**
 * Real worker processes: `node --import tsx src/main.ts worker`, the CLI's worker role, one OS process
 * each (no tsx wrapper process, so SIGKILL reaches the process that holds the locks). Each incarnation
 * logs to its own file in `logDirectory`. Nothing leaks: stopAll kills what runs, a process-exit hook
 * kills whatever is still alive, and a worker whose test process vanished exits (exit-with-parent.ts).
 */
export class WorkerProcesses {
  private readonly slots: Array<WorkerSlot | null> = [];
  private incarnations = 0;
  private readonly killOnExit = () => {
    for (const slot of this.slots) if (slot && slot.child.exitCode === null && slot.child.signalCode === null) slot.child.kill('SIGKILL');
  };
  /** How many processes were SIGKILLed while running. */
  kills = 0;
  /** Milliseconds from spawn to 'worker started', per incarnation that got there. */
  readonly bootTimes: number[] = [];

  constructor(
    private readonly env: Record<string, string>,
    private readonly logDirectory: string,
  ) {
    process.on('exit', this.killOnExit);
  }

  get started(): number {
    return this.incarnations;
  }

  /** Start `count` workers (slots 0..count-1). */
  start(count: number): void {
    for (let index = 0; index < count; index += 1) this.slots[index] = this.spawnWorker();
  }

  private spawnWorker(): WorkerSlot {
    this.incarnations += 1;
    const incarnation = this.incarnations;
    const logFile = path.join(this.logDirectory, `worker-${incarnation}.log`);
    // The environment is exactly `env`: the worker's whole configuration, nothing inherited by accident.
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './test/crash/exit-with-parent.ts', 'src/main.ts', 'worker'], {
      cwd: serverDirectory,
      env: this.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const spawnedAt = Date.now();
    // Never written to, never closed: it closes when this process goes away (see exit-with-parent.ts).
    child.stdin!.on('error', () => undefined);
    const log = createWriteStream(logFile);
    const slot: WorkerSlot = { incarnation, child, exited: Promise.resolve(), logFile, isReady: false, readyAt: 0 };
    // The worker role logs 'worker started' once graphile-worker runs (LOG_LEVEL info or finer).
    let recent = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      if (slot.isReady) return;
      recent = recent.slice(-32) + chunk.toString('utf8');
      if (recent.includes('"worker started"')) {
        slot.isReady = true;
        slot.readyAt = Date.now();
        this.bootTimes.push(slot.readyAt - spawnedAt);
      }
    });
    child.stdout!.pipe(log, { end: false });
    child.stderr!.pipe(log, { end: false });
    slot.exited = new Promise<void>((resolve) =>
      child.once('close', () => {
        log.end(() => resolve());
      }),
    );
    return slot;
  }

  private runningFor(minimumMs: number): number[] {
    const now = Date.now();
    return this.slots.flatMap((slot, index) =>
      slot?.isReady && slot.child.exitCode === null && slot.child.signalCode === null && now - slot.readyAt >= minimumMs ? [index] : [],
    );
  }

  /**
   * SIGKILL a random worker that has been running jobs for at least `minimumRunMs` while another one runs
   * too (waiting for that if need be: a kill should land on a worker holding jobs, not on one still
   * loading its code, and the posts keep moving while it reloads), wait until it is gone, and start a
   * new one in its place at once. Returns false when `stopWaiting` ended the wait.
   */
  async killAndRestart(minimumRunMs: number, stopWaiting: () => boolean): Promise<boolean> {
    let candidates = this.runningFor(minimumRunMs);
    while (candidates.length === 0 || this.runningFor(0).length < 2) {
      if (stopWaiting()) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
      candidates = this.runningFor(minimumRunMs);
    }
    const index = candidates[Math.floor(Math.random() * candidates.length)]!;
    const current = this.slots[index]!;
    current.child.kill('SIGKILL');
    this.kills += 1;
    await current.exited;
    this.slots[index] = this.spawnWorker();
    return true;
  }

  /**
   * Every 1–3 s SIGKILL a random worker that has been running jobs for `minimumRunMs` (2.5 s) and at once replace
   * it (killAndRestart), until `until` and at least `minimumKills` kills, never past `limit`, nor once `stopped()`.
   */
  async killRepeatedly(options: { until: number; minimumKills: number; limit: number; minimumRunMs?: number; stopped: () => boolean }): Promise<void> {
    const { until, minimumKills, limit, minimumRunMs = defaultMinimumRunMs, stopped } = options;
    while (!stopped() && (Date.now() < until || this.kills < minimumKills) && Date.now() < limit) {
      await sleep(1000 + Math.random() * 2000);
      await this.killAndRestart(minimumRunMs, () => stopped() || Date.now() >= limit);
    }
  }

  /**
   * Let the workers run on, unharmed, until `countOpen()` is 0 (asked every second) or `deadlineMs` passed;
   * returns the last count. Throws when a worker exited on its own.
   */
  async waitUntilQuiet(countOpen: () => Promise<number>, deadlineMs: number): Promise<number> {
    const startedAt = Date.now();
    for (;;) {
      const dead = this.unexpectedExits();
      if (dead.length > 0) throw new Error(`A worker exited on its own:\n${dead.map((exit) => `worker ${exit.incarnation} (${exit.code ?? exit.signal}):\n${exit.log}`).join('\n')}`);
      const open = await countOpen();
      if (open === 0 || Date.now() - startedAt > deadlineMs) return open;
      await sleep(1000);
    }
  }

  /** For the test's summary line: kills, incarnations and their median boot time. */
  describeKills(): string {
    return `${this.kills} workers SIGKILLed (${this.incarnations} started, median boot ${(median(this.bootTimes) / 1000).toFixed(1)} s)`;
  }

  /** Workers that died on their own (not by our SIGKILL): a crash at start-up, for instance. */
  unexpectedExits(): Array<{ incarnation: number; code: number | null; signal: string | null; log: string }> {
    return this.slots
      .filter((slot): slot is WorkerSlot => slot !== null && (slot.child.exitCode !== null || slot.child.signalCode !== null))
      .map((slot) => ({ incarnation: slot.incarnation, code: slot.child.exitCode, signal: slot.child.signalCode, log: tail(slot.logFile) }));
  }

  /** The last lines of every running worker's log, for a failure report. */
  logTails(lines = 20): string {
    return this.slots
      .filter((slot): slot is WorkerSlot => slot !== null)
      .map((slot) => `--- worker ${slot.incarnation}\n${tail(slot.logFile, lines)}`)
      .join('\n');
  }

  /** SIGKILL every worker still running and wait until all are gone. */
  async stopAll(): Promise<void> {
    const running = this.slots.filter((slot): slot is WorkerSlot => slot !== null);
    for (const slot of running) if (slot.child.exitCode === null && slot.child.signalCode === null) slot.child.kill('SIGKILL');
    await Promise.all(running.map((slot) => slot.exited));
    this.slots.length = 0;
    process.off('exit', this.killOnExit);
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
