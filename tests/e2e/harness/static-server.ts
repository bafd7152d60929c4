// The SPA's release build served the way a static host serves it: files from `dist`, `config.json` answered
// from memory (so one build is pointed at this run's ephemeral ports without touching the build output), and an
// SPA fallback (any other unknown path gets index.html, as GitHub Pages/Netlify/nginx setups do).

import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  // Browsers compile wasm while downloading only with this exact type (instantiateStreaming).
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  port: number;
  close(): Promise<void>;
}

/** Serves `dist` on 127.0.0.1 at a free port; `/config.json` is `config`. */
export async function startStaticServer(dist: string, config: object): Promise<StaticServer> {
  const root = path.resolve(dist);
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    throw new Error(`${index} is missing: build the SPA first (trunk build --release --dist ${dist})`);
  }
  const configBody = JSON.stringify(config);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      res.writeHead(400).end('bad path');
      return;
    }
    if (pathname === '/config.json') {
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(configBody);
      return;
    }
    // Resolve inside `root` only: a `..` path must never read files outside the build.
    const file = path.resolve(root, '.' + pathname);
    const inside = file === root || file.startsWith(root + path.sep);
    let target = index;
    if (inside && fs.existsSync(file) && fs.statSync(file).isFile()) {
      target = file;
    } else if (path.extname(pathname) !== '' && pathname !== '/') {
      // A missing asset is a 404 (a static host does not answer index.html for /missing.js); only route-like
      // paths fall back to the SPA.
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const type = CONTENT_TYPES[path.extname(target)] ?? 'application/octet-stream';
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-store' });
    fs.createReadStream(target).pipe(res);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
