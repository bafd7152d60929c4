// The production shape, started for real (issue 12): 2 auth-server and 2 backend instances on one PostgreSQL
// database (the machine's), the auth servers' rate-limit counters in Redis (the machine's), all behind nginx with
// round-robin, which also serves the SPA's release build with the README's static-host recipe. nginx runs the
// project's own `deploy/nginx/leptos-passage.conf` with its placeholders filled, nothing else changed.
//
// Where things come from, beside stack.ts's variables:
//   E2E_POSTGRES_URL  an admin URL of the PostgreSQL to create the fleet's database on
//                     (default TEST_DATABASE_URL, else postgres://postgres@127.0.0.1:5432/postgres)
//   E2E_REDIS_URL     the Redis (default redis://127.0.0.1:6379); each run uses keys of its own
//   E2E_NGINX         the nginx binary (default: nginx on PATH, /usr/sbin/nginx)

import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { indexWithMeta, originSwaps, readHeadersFile, retargetPolicy } from './static-server';
import { nginxBinary, nginxConf } from './nginx';
import { APP_ID, binDir, distDir, freePort, ServerProcess, type RunningStack, type StackInfo } from './stack';

const REPO_ROOT = path.resolve(__dirname, '../../..');
export const NGINX_SITE = path.join(REPO_ROOT, 'deploy/nginx/leptos-passage.conf');

function postgresAdminUrl(): string {
  for (const value of [process.env.E2E_POSTGRES_URL, process.env.TEST_DATABASE_URL]) {
    if (value && value.trim() !== '') return value;
  }
  return 'postgres://postgres@127.0.0.1:5432/postgres';
}

function psql(adminUrl: string, statement: string): void {
  execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', adminUrl, '-c', statement], { stdio: 'pipe' });
}

/** Fills the `{{NAME}}` placeholders outside comments; fails on one it has no value for (the template and this
 * harness disagree). */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template
    .split('\n')
    .map((line) =>
      line.trimStart().startsWith('#')
        ? line
        : line.replace(/\{\{([A-Z0-9_]+)\}\}/g, (whole, name: string) => {
            if (!(name in values)) throw new Error(`${NGINX_SITE}: no value for ${whole}`);
            return values[name];
          }),
    )
    .join('\n');
}

/** The folder nginx serves: dist copied, `config.json` pointing at the balancer, the CSP for its origins. */
function deployDist(tempDir: string, config: { app_id: string; auth_url: string; api_url: string }): { root: string; csp: string } {
  const source = distDir();
  const root = path.join(tempDir, 'dist');
  fs.cpSync(source, root, { recursive: true });
  const headers = readHeadersFile(source);
  const swaps = originSwaps(source, config, headers['content-security-policy']);
  fs.writeFileSync(path.join(root, 'config.json'), JSON.stringify(config));
  fs.writeFileSync(path.join(root, 'index.html'), indexWithMeta(path.join(source, 'index.html'), swaps));
  return { root, csp: retargetPolicy(headers['content-security-policy'], swaps) };
}

export class FleetStack implements RunningStack {
  private constructor(
    readonly info: StackInfo,
    readonly auths: ServerProcess[],
    readonly backends: ServerProcess[],
    readonly nginx: ServerProcess,
    private readonly dropDatabases: () => void,
  ) {}

  /** `extraAuthArgs` are appended to every auth-server instance's flags (as `Stack.start`'s). */
  static async start(extraAuthArgs: string[] = []): Promise<FleetStack> {
    const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'leptos-passage-fleet-'));
    // nginx's workers run as an unprivileged user when nginx is started as root: they must read dist.
    fs.chmodSync(tempDir, 0o755);
    const ports: number[] = [];
    const port = async () => {
      let p = await freePort();
      while (ports.includes(p)) p = await freePort();
      ports.push(p);
      return p;
    };
    const [spaPort, authPort, apiPort, managementPort] = [await port(), await port(), await port(), await port()];
    const authPorts = [await port(), await port()];
    const authManagementPorts = [await port(), await port()];
    const backendPorts = [await port(), await port()];
    const spaUrl = `http://localhost:${spaPort}`;
    const authUrl = `http://127.0.0.1:${authPort}`;
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const managementUrl = `http://127.0.0.1:${managementPort}`;
    const apiKey = crypto.randomBytes(24).toString('hex');

    // One PostgreSQL, a database per server (each keeps its own sqlx migration history), made fresh for this run.
    const adminUrl = postgresAdminUrl();
    const run = crypto.randomBytes(5).toString('hex');
    const databases = [`e2e_fleet_${run}_auth`, `e2e_fleet_${run}_app`];
    for (const name of databases) psql(adminUrl, `CREATE DATABASE ${name}`);
    const dropDatabases = () => {
      for (const name of databases) {
        try {
          psql(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        } catch (error) {
          console.warn(`e2e: could not drop ${name}: ${error}`);
        }
      }
    };
    const dbUrlOf = (name: string) => {
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    };
    const [authDbUrl, backendDbUrl] = databases.map(dbUrlOf);

    // Every instance gets the same key-encryption key, as a fleet's secret store hands it to each.
    const kekFile = path.join(tempDir, 'kek');
    fs.writeFileSync(kekFile, crypto.randomBytes(32).toString('base64'), { mode: 0o600 });
    const redisUrl = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:6379';
    const redisPrefix = `e2e-fleet:${crypto.randomBytes(5).toString('hex')}`;

    const auths = authPorts.map(
      (p, i) =>
        new ServerProcess(
          `auth-server-${i + 1}`,
          path.join(binDir(), 'auth-server'),
          ['--dev', '--dev-origin', spaUrl, '--dev-api-key', apiKey, '--bind', `127.0.0.1:${p}`,
            '--management-bind', `127.0.0.1:${authManagementPorts[i]}`, '--database-url', authDbUrl,
            '--key-encryption-key-file', kekFile, '--redis-url', redisUrl, '--redis-key-prefix', redisPrefix,
            '--trust-forwarded-for', '--public-url', authUrl, ...extraAuthArgs],
          p,
          path.join(tempDir, `auth-server-${i + 1}.log`),
        ),
    );
    const backends = backendPorts.map(
      (p, i) =>
        new ServerProcess(
          `backend-${i + 1}`,
          path.join(binDir(), 'backend'),
          ['--bind', `127.0.0.1:${p}`, '--database-url', backendDbUrl, '--auth-url', authUrl,
            '--auth-management-url', managementUrl, '--app-id', APP_ID, '--auth-api-key', apiKey,
            '--allowed-origins', spaUrl, '--token-issuer', APP_ID],
          p,
          path.join(tempDir, `backend-${i + 1}.log`),
        ),
    );

    const { root, csp } = deployDist(tempDir, { app_id: APP_ID, auth_url: authUrl, api_url: apiUrl });
    const logDir = path.join(tempDir, 'nginx');
    fs.mkdirSync(path.join(logDir, 'tmp'), { recursive: true });
    const site = fillTemplate(fs.readFileSync(NGINX_SITE, 'utf8'), {
      SPA_LISTEN: `127.0.0.1:${spaPort}`,
      AUTH_LISTEN: `127.0.0.1:${authPort}`,
      API_LISTEN: `127.0.0.1:${apiPort}`,
      MANAGEMENT_LISTEN: `127.0.0.1:${managementPort}`,
      AUTH_1: `127.0.0.1:${authPorts[0]}`,
      AUTH_2: `127.0.0.1:${authPorts[1]}`,
      AUTH_MANAGEMENT_1: `127.0.0.1:${authManagementPorts[0]}`,
      AUTH_MANAGEMENT_2: `127.0.0.1:${authManagementPorts[1]}`,
      BACKEND_1: `127.0.0.1:${backendPorts[0]}`,
      BACKEND_2: `127.0.0.1:${backendPorts[1]}`,
      DIST: root,
      CSP: csp.replaceAll('"', '\\"'),
      LOG_DIR: logDir,
    });
    fs.writeFileSync(path.join(tempDir, 'leptos-passage.conf'), site);
    // The frame around the site file: what /etc/nginx/nginx.conf gives it on a server, here in the temp dir.
    fs.writeFileSync(
      path.join(tempDir, 'nginx.conf'),
      nginxConf(logDir, { workers: 2, http: [`include ${path.join(tempDir, 'leptos-passage.conf')};`] }),
    );
    const nginx = new ServerProcess(
      'nginx',
      nginxBinary(),
      ['-p', logDir, '-c', path.join(tempDir, 'nginx.conf')],
      spaPort,
      path.join(tempDir, 'nginx.log'),
    );

    const info: StackInfo = {
      spaUrl,
      authUrl,
      managementUrl,
      apiUrl,
      apiKey,
      appId: APP_ID,
      tempDir,
      backendDbFile: '',
      authDbFile: '',
      backendDbUrl,
      mailboxUrls: authPorts.map((p) => `http://127.0.0.1:${p}`),
    };
    const fleet = new FleetStack(info, auths, backends, nginx, dropDatabases);
    try {
      // One at a time: the first of each runs the migrations (the others would wait on sqlx's lock anyway).
      for (const server of [...auths, ...backends, nginx]) await server.start();
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  /** nginx's access log of one listener (`auth`, `api`, `spa`, `management`), one parsed line per request.
   * `upstream` lists every instance nginx tried for it, the one that answered last. */
  accessLog(listener: 'auth' | 'api' | 'spa' | 'management'): { request: string; status: number; upstream: string }[] {
    const file = path.join(this.info.tempDir, 'nginx', `${listener}.access.log`);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      // `upstream` lists every instance tried, in order ("a, b" when a refused the connection).
      .map((line) => /"([^"]*)" (\d{3}) \d+ upstream=(.*?) request_id=/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ request: m[1], status: Number(m[2]), upstream: m[3] }));
  }

  logs(): { name: string; text: string }[] {
    return [...this.auths, ...this.backends, this.nginx].map((p) => ({ name: `${p.name}.log`, text: p.logTail(300) }));
  }

  async stop(keepTempDir = process.env.E2E_KEEP === '1'): Promise<void> {
    await Promise.allSettled([...this.auths, ...this.backends, this.nginx].map((p) => p.stop()));
    this.dropDatabases();
    if (keepTempDir) {
      console.log(`e2e: kept ${this.info.tempDir} (logs, nginx config)`);
    } else {
      fs.rmSync(this.info.tempDir, { recursive: true, force: true });
    }
  }
}
