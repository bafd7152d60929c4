// The system under test, started for real: auth-server and backend (debug binaries built by cargo) on ephemeral
// ports with fresh SQLite databases in a temp dir, and the SPA's release build behind a static server.
//
// Where things come from (set by `cargo xtask test`, defaults for a run from tests/e2e/):
//   E2E_DIST     the `trunk build --release` output        (default ../../target/test-dist)
//   E2E_BIN_DIR  folder holding auth-server and backend    (default ../../target/debug)
//   E2E_KEEP=1   keep the temp dir (databases, logs) after the run

import { spawn, type ChildProcess } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { startStaticServer, type StaticServer } from './static-server';

export const APP_ID = 'dev-app';
const REPO_ROOT = path.resolve(__dirname, '../../..');

export function distDir(): string {
  return path.resolve(process.env.E2E_DIST ?? path.join(REPO_ROOT, 'target/test-dist'));
}

export function binDir(): string {
  return path.resolve(process.env.E2E_BIN_DIR ?? path.join(REPO_ROOT, 'target/debug'));
}

/** Where the README screenshots go. */
export function docsDir(): string {
  return path.resolve(process.env.E2E_DOCS_DIR ?? path.join(REPO_ROOT, 'docs'));
}

/** A free TCP port on 127.0.0.1: bind port 0, read it, close. (The tiny race with other programs is accepted.) */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** One server process with its log file. */
export class ServerProcess {
  private child: ChildProcess | null = null;
  private exitNote = '';

  constructor(
    readonly name: string,
    private readonly binary: string,
    private readonly args: string[],
    readonly port: number,
    readonly logFile: string,
  ) {}

  async start(timeoutMs = 30_000): Promise<void> {
    if (!fs.existsSync(this.binary)) {
      throw new Error(`${this.binary} is missing: run \`cargo build -p auth-server -p backend\` first`);
    }
    const log = fs.openSync(this.logFile, 'a');
    fs.writeSync(log, `\n$ ${this.binary} ${this.args.join(' ')}\n`);
    this.exitNote = '';
    const child = spawn(this.binary, this.args, {
      stdio: ['ignore', log, log],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info', RUST_BACKTRACE: '1' },
    });
    fs.closeSync(log);
    this.child = child;
    child.once('exit', (code, signal) => {
      this.exitNote = `exited (code ${code}, signal ${signal})`;
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exitNote) {
        throw new Error(`${this.name} ${this.exitNote} before listening; log:\n${this.logTail()}`);
      }
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} did not listen on port ${this.port} within ${timeoutMs} ms; log:\n${this.logTail()}`);
  }

  /** SIGTERM (or `signal`), then SIGKILL if it lingers; resolves once the process is gone. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
    // Wait until the port is really free, so a restart on the same port cannot race the old listener.
    for (let i = 0; i < 50 && (await canConnect(this.port)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  get running(): boolean {
    return this.child !== null;
  }

  logTail(lines = 60): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

export interface StackInfo {
  /** The page origin. `localhost`, not 127.0.0.1: the WebAuthn RP ID is `localhost` and the app's auth_origin
   * must equal the page origin exactly. */
  spaUrl: string;
  authUrl: string;
  /** The auth server's management API (its own listener). */
  managementUrl: string;
  /** Where the dev mailboxes are read: every auth-server instance's own URL (a fleet has several, each holding
   * what it sent). Absent: `authUrl`. */
  mailboxUrls?: string[];
  /** The backend's PostgreSQL database, when it has one instead of `backendDbFile` (the fleet). */
  backendDbUrl?: string;
  apiUrl: string;
  apiKey: string;
  appId: string;
  tempDir: string;
  backendDbFile: string;
  authDbFile: string;
}

/** What the fixtures need of a running system: the single-process `Stack` or the `FleetStack`. */
export interface RunningStack {
  readonly info: StackInfo;
  logs(): { name: string; text: string }[];
  stop(): Promise<void>;
}

export class Stack implements RunningStack {
  private constructor(
    readonly info: StackInfo,
    readonly auth: ServerProcess,
    readonly backend: ServerProcess,
    private readonly spa: StaticServer,
  ) {}

  /** `extraAuthArgs` are appended to the auth server's flags (e.g. a dev app with another fallback method). */
  static async start(extraAuthArgs: string[] = []): Promise<Stack> {
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leptos-passage-e2e-'));
    const apiKey = crypto.randomBytes(24).toString('hex');
    const authPort = await freePort();
    let apiPort = await freePort();
    // Both ports were released before use, so the OS may hand out the same one twice: ask again.
    while (apiPort === authPort) apiPort = await freePort();
    let managementPort = await freePort();
    while (managementPort === authPort || managementPort === apiPort) managementPort = await freePort();
    const authUrl = `http://127.0.0.1:${authPort}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const spa = await startStaticServer(distDir(), { app_id: APP_ID, auth_url: authUrl, api_url: apiUrl });
    const spaUrl = `http://localhost:${spa.port}`;
    const authDbFile = path.join(tempDir, 'auth.sqlite3');
    const backendDbFile = path.join(tempDir, 'app.sqlite3');

    const managementUrl = `http://127.0.0.1:${managementPort}`;
    const auth = new ServerProcess(
      'auth-server',
      path.join(binDir(), 'auth-server'),
      ['--dev', '--dev-origin', spaUrl, '--dev-api-key', apiKey, '--bind', `127.0.0.1:${authPort}`,
        // The management API's own listener (the backend's get and delete user) on a free port: workers run side
        // by side.
        '--management-bind', `127.0.0.1:${managementPort}`, '--database-url', `sqlite://${authDbFile}`, ...extraAuthArgs],
      authPort,
      path.join(tempDir, 'auth-server.log'),
    );
    const backend = new ServerProcess(
      'backend',
      path.join(binDir(), 'backend'),
      ['--bind', `127.0.0.1:${apiPort}`, '--database-url', `sqlite://${backendDbFile}`, '--auth-url', authUrl,
        '--auth-management-url', managementUrl, '--app-id', APP_ID, '--auth-api-key', apiKey, '--allowed-origins', spaUrl, '--token-issuer', APP_ID],
      apiPort,
      path.join(tempDir, 'backend.log'),
    );
    const info: StackInfo = { spaUrl, authUrl, managementUrl, apiUrl, apiKey, appId: APP_ID, tempDir, backendDbFile, authDbFile };
    const stack = new Stack(info, auth, backend, spa);
    try {
      await auth.start();
      await backend.start();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** Server logs, for attaching to a failed test. */
  logs(): { name: string; text: string }[] {
    return [this.auth, this.backend].map((p) => ({ name: `${p.name}.log`, text: p.logTail(400) }));
  }

  async stop(keepTempDir = process.env.E2E_KEEP === '1'): Promise<void> {
    await Promise.allSettled([this.auth.stop(), this.backend.stop(), this.spa.close()]);
    if (keepTempDir) {
      console.log(`e2e: kept ${this.info.tempDir} (databases and server logs)`);
    } else {
      fs.rmSync(this.info.tempDir, { recursive: true, force: true });
    }
  }
}
