/**
 * An npm registry on 127.0.0.1 serving the packages installed in this checkout's node_modules
 * (the runtime ones of package-lock.json), so a test can run a real `npm install` of the
 * packed tarball without reaching beyond loopback. Packuments follow the registry's JSON
 * shape (versions, dist-tags, dist.tarball/integrity); tarballs are made from node_modules
 * on first request (native builds included, so installs can use --ignore-scripts).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

interface LockEntry {
  name?: string;
  version: string;
  dev?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  engines?: Record<string, string>;
  bin?: unknown;
  os?: string[];
  cpu?: string[];
}

export interface Registry {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/** Start the registry for the runtime packages of `root`'s package-lock.json. */
export async function startRegistry(root: string): Promise<Registry> {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const byName = new Map<string, { dir: string; entry: LockEntry }[]>();
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (!path || entry.dev) continue;
    const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
    byName.set(name, [...(byName.get(name) ?? []), { dir: join(root, path), entry }]);
  }
  const tarballs = new Map<string, Buffer>();
  const tarball = (dir: string): Buffer => {
    let t = tarballs.get(dir);
    if (!t) {
      t = execFileSync('tar', ['-czf', '-', '-C', dir, '--transform', 's,^\\.,package,', '.'], { maxBuffer: 1 << 30 });
      tarballs.set(dir, t);
    }
    return t;
  };
  const requests: string[] = [];
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]).slice(1);
    requests.push(path);
    const tgz = /^(.+)\/-\/(\d+)\.tgz$/.exec(path);
    if (tgz) {
      const hit = byName.get(tgz[1])?.[Number(tgz[2])];
      if (!hit) return notFound(res);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return res.end(tarball(hit.dir));
    }
    const versions = byName.get(path);
    if (!versions) return notFound(res);
    const packument = {
      name: path,
      'dist-tags': { latest: versions.map((v) => v.entry.version).sort(newest)[0] },
      versions: Object.fromEntries(
        versions.map(({ dir, entry }, i) => {
          const t = tarball(dir);
          const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
          const integrity = `sha512-${createHash('sha512').update(t).digest('base64')}`;
          const tarballUrl = `${base}/${path.replace('/', '%2f')}/-/${i}.tgz`;
          return [entry.version, { ...manifest, name: path, version: entry.version, dist: { tarball: tarballUrl, integrity } }];
        }),
      ),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(packument));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: base + '/', requests, close: () => new Promise((ok) => server.close(() => ok())) };
}

function notFound(res: import('node:http').ServerResponse): void {
  res.writeHead(404, { 'content-type': 'application/json' });
  res.end('{"error":"not found"}');
}

/** Descending semver order, enough for x.y.z versions. */
function newest(a: string, b: string): number {
  const pa = a.split(/[.-]/).map(Number);
  const pb = b.split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pb[i] - pa[i];
  return 0;
}
