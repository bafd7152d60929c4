// Running Debian's nginx unprivileged in a temp dir: the binary, and the frame of nginx.conf (what
// /etc/nginx/nginx.conf gives a site file on a server) around the `http` block's own lines.

import * as fs from 'node:fs';
import * as path from 'node:path';

/** E2E_NGINX, else Debian's nginx. */
export function nginxBinary(): string {
  if (process.env.E2E_NGINX) return process.env.E2E_NGINX;
  for (const candidate of ['/usr/sbin/nginx', '/usr/bin/nginx']) if (fs.existsSync(candidate)) return candidate;
  return 'nginx';
}

/** nginx.conf for `nginx -p logDir`: pid, error log and temp paths under `logDir` (its `tmp/` must exist), in the
 * foreground; `main` lines go before everything (load_module), `http` lines into the http block. */
export function nginxConf(logDir: string, options: { workers: number; main?: string[]; http: string[] }): string {
  const temp = path.join(logDir, 'tmp');
  return [
    ...(options.main ?? []),
    'daemon off;',
    `worker_processes ${options.workers};`,
    `pid ${path.join(logDir, 'nginx.pid')};`,
    `error_log ${path.join(logDir, 'error.log')} warn;`,
    'events { worker_connections 1024; }',
    'http {',
    '  include /etc/nginx/mime.types;',
    '  default_type application/octet-stream;',
    `  client_body_temp_path ${temp}/body;`,
    `  proxy_temp_path ${temp}/proxy;`,
    `  fastcgi_temp_path ${temp}/fastcgi;`,
    `  uwsgi_temp_path ${temp}/uwsgi;`,
    `  scgi_temp_path ${temp}/scgi;`,
    ...options.http.map((line) => `  ${line}`),
    '}',
    '',
  ].join('\n');
}
