// The SPA's release build served the way a static host serves it: files from `dist`, `config.json` answered
// from memory (so one build is pointed at this run's ephemeral ports without touching the build output), and an
// SPA fallback (any other unknown path gets index.html, as GitHub Pages/Netlify/nginx setups do).
//
// Every response carries the headers of `dist/_headers` (what Netlify would send: the Content-Security-Policy
// and the other security headers `cargo xtask build` writes), and index.html keeps its CSP <meta>, so the browser
// enforces both policies, as on a host that sets headers. The build wrote them for the origins of
// `dist/config.json`; like an operator who deploys another config.json, the server swaps those origins for this
// run's auth server and backend (and nothing else) in both.

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

interface SpaConfig {
  auth_url: string;
  api_url: string;
  [key: string]: unknown;
}

/** The headers `dist/_headers` sets for `/*` (Netlify's format: a path line, then indented `Name: value` lines). */
export function readHeadersFile(dist: string): Record<string, string> {
  const file = path.join(dist, '_headers');
  if (!fs.existsSync(file)) {
    throw new Error(`${file} is missing: build with \`cargo xtask build\` (it writes the CSP files)`);
  }
  const headers: Record<string, string> = {};
  let inAll = false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (!/^\s/.test(line)) {
      inAll = line.trim() === '/*';
      continue;
    }
    const colon = line.indexOf(':');
    if (inAll && colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (!headers['content-security-policy']) throw new Error(`${file} sets no Content-Security-Policy for /*`);
  return headers;
}

/** Replaces whole source expressions of a serialized policy (`from` origin → `to` origins). */
export function retargetPolicy(policy: string, swaps: Map<string, string[]>): string {
  return policy
    .split(';')
    .map((directive) =>
      directive
        .trim()
        .split(/\s+/)
        .flatMap((token) => swaps.get(token) ?? [token])
        .join(' '),
    )
    .join('; ');
}

function originOf(url: string): string {
  return new URL(url).origin;
}

/** The build's origins (from `dist/config.json`) mapped to this run's. Fails when the build's policy does not
 * name them in connect-src: then the build did not write the configured origins and the swap would hide it. */
export function originSwaps(dist: string, config: SpaConfig, policy: string): Map<string, string[]> {
  const built = JSON.parse(fs.readFileSync(path.join(dist, 'config.json'), 'utf8')) as SpaConfig;
  const connect = policy.split(';').map((d) => d.trim().split(/\s+/)).find((d) => d[0] === 'connect-src') ?? [];
  const swaps = new Map<string, string[]>();
  for (const key of ['auth_url', 'api_url'] as const) {
    const from = originOf(built[key]);
    if (!connect.includes(from)) {
      throw new Error(`the built policy's connect-src does not name ${key} ${from} of dist/config.json: ${policy}`);
    }
    swaps.set(from, [...new Set([...(swaps.get(from) ?? []), originOf(config[key])])]);
  }
  return swaps;
}

const META = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/;

/** index.html with its CSP meta retargeted; fails if the build wrote none. */
export function indexWithMeta(file: string, swaps: Map<string, string[]>): string {
  const html = fs.readFileSync(file, 'utf8');
  const found = META.exec(html);
  if (!found) throw new Error(`${file} has no Content-Security-Policy <meta>: build with \`cargo xtask build\``);
  const policy = found[1].replaceAll('&quot;', '"').replaceAll('&amp;', '&');
  const retargeted = retargetPolicy(policy, swaps).replaceAll('&', '&amp;').replaceAll('"', '&quot;');
  return html.replace(found[0], `<meta http-equiv="Content-Security-Policy" content="${retargeted}">`);
}

/** Serves `dist` on 127.0.0.1 at a free port; `/config.json` is `config`. */
export async function startStaticServer(dist: string, config: SpaConfig): Promise<StaticServer> {
  const root = path.resolve(dist);
  const index = path.join(root, 'index.html');
  if (!fs.existsSync(index)) {
    throw new Error(`${index} is missing: build the SPA first (cargo xtask build --dist ${dist})`);
  }
  const configBody = JSON.stringify(config);
  const securityHeaders = readHeadersFile(root);
  const swaps = originSwaps(root, config, securityHeaders['content-security-policy']);
  securityHeaders['content-security-policy'] = retargetPolicy(securityHeaders['content-security-policy'], swaps);
  const indexBody = indexWithMeta(index, swaps);

  const server = http.createServer((req, res) => {
    for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
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
    if (target === index) {
      res.end(indexBody);
      return;
    }
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
