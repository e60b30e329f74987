import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireBinary } from './internal/binaries.js';
import { cephPaths, renderCephConfig, RGW_NAME } from './internal/ceph-config.js';
import { getFreePorts, isPortFree } from './internal/free-port.js';
import { ServerProcess } from './internal/managed-process.js';
import { httpStatus } from './internal/probes.js';
import { runTool, runToolRaw } from './internal/run-tool.js';
import { sha256Hex, signRequest } from './internal/sigv4.js';
import { waitReady } from './internal/wait-ready.js';
import type { ServerHandle, ServerOptions } from './server-options.js';

export interface S3ServerOptions extends ServerOptions {
  /** Keys of the S3 user; random per cluster by default (a persistent cluster keeps its own). */
  accessKey?: string;
  secretKey?: string;
  /** Region clients sign for; default us-east-1. */
  region?: string;
  /** Size of the sparse bluestore file; default 16 GiB (tests), 64 GiB (persistent). */
  blockSizeGiB?: number;
}

export interface S3ServerHandle extends ServerHandle {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly endPoint: string;
  readonly port: number;
  readonly useSSL: false;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly region: string;
}

interface ClusterState {
  fsid: string;
  monPort: number;
  osdUuid: string;
  accessKey: string;
  secretKey: string;
  userCreated: boolean;
}

const RGW_UID = 'muster';

/**
 * A one-node Ceph cluster serving S3 through radosgw: ceph-mon, one ceph-osd (bluestore on a
 * sparse file) and radosgw, all in the foreground, no cephx, no mgr, bound to 127.0.0.1.
 * A fresh cluster is ready in ~1.5–2.5 s here; a persistent one reuses its data dir.
 */
export async function startS3(options: S3ServerOptions): Promise<S3ServerHandle> {
  const bin = {
    mon: requireBinary('ceph-mon'),
    osd: requireBinary('ceph-osd'),
    rgw: requireBinary('radosgw'),
    admin: requireBinary('radosgw-admin'),
    monmaptool: requireBinary('monmaptool'),
    authtool: requireBinary('ceph-authtool'),
    ceph: requireBinary('ceph'),
  };
  const persistent = options.persistent ?? false;
  const region = options.region ?? 'us-east-1';
  const dir = options.dataDir;
  const p = cephPaths(dir);
  await Promise.all(
    [p.logDir, p.runDir, p.rgwData, p.osdData, p.monData].map((d) => mkdir(d, { recursive: true })),
  );
  let state = await readState(p.state);
  // Never hand the mon a port radosgw is to use, or the other way round.
  const [freeMon, freeRgw] = (await getFreePorts(4)).filter(
    (port) => port !== state?.monPort && port !== options.port,
  );
  if (freeMon === undefined || freeRgw === undefined) throw new Error('no free ports');
  const rgwPort = options.port ?? freeRgw;
  const blockSizeBytes = (options.blockSizeGiB ?? (persistent ? 64 : 16)) * 1024 ** 3;
  const conf = ['-c', p.conf];
  const processes: ServerProcess[] = [];
  // Each daemon's stdout/stderr goes to the same file as its own log (both append).
  const daemon = async (name: string, command: string, args: string[], cephName: string) => {
    const logFile = join(p.logDir, `${cephName}.log`);
    const proc = await ServerProcess.start({ name, command, args: [...conf, ...args], logFile, cwd: dir });
    processes.push(proc);
    return proc;
  };
  const writeConf = (state: ClusterState) =>
    writeFile(
      p.conf,
      renderCephConfig({
        fsid: state.fsid,
        dir,
        monPort: state.monPort,
        rgwPort,
        blockSizeBytes,
        persistent,
      }),
    );

  try {
    if (!state) {
      state = {
        fsid: randomUUID(),
        monPort: freeMon,
        osdUuid: randomUUID(),
        accessKey: options.accessKey ?? `MUSTER${randomBytes(7).toString('hex').toUpperCase()}`,
        secretKey: options.secretKey ?? randomBytes(20).toString('hex'),
        userCreated: false,
      };
      // Whatever an interrupted initialisation left behind is started over.
      await Promise.all(
        [p.monData, p.osdData, p.osdBlock, p.keyring, p.monmap].map((f) =>
          rm(f, { recursive: true, force: true }),
        ),
      );
      await Promise.all([
        mkdir(p.monData, { recursive: true }),
        mkdir(p.osdData, { recursive: true }),
        writeConf(state),
      ]);
      await runTool(bin.authtool, [
        '--create-keyring',
        p.keyring,
        '--gen-key',
        '-n',
        'mon.',
        '--cap',
        'mon',
        'allow *',
      ]);
      await runTool(bin.monmaptool, [
        '--create',
        '--addv',
        'a',
        `v1:127.0.0.1:${state.monPort}`,
        '--fsid',
        state.fsid,
        p.monmap,
      ]);
      await runTool(bin.mon, [...conf, '--mkfs', '-i', 'a', '--monmap', p.monmap, '--keyring', p.keyring]);
      await daemon('ceph-mon', bin.mon, ['-f', '-i', 'a'], 'mon.a');
      // The OSD's mkfs needs only the monmap, so it runs while the mon registers the OSD.
      await Promise.all([
        runTool(bin.osd, [...conf, '-i', '0', '--mkfs', '--osd-uuid', state.osdUuid, '--monmap', p.monmap], {
          timeoutMs: 120_000,
        }),
        (async (osdUuid: string) => {
          // Two calls, not one batch on stdin: the ceph CLI exits 0 from a batch even when a command fails.
          const cli = [...conf, '--connect-timeout', '60'];
          await cephCommand(bin.ceph, [...cli, 'osd', 'new', osdUuid, '0']);
          await cephCommand(bin.ceph, [...cli, 'osd', 'crush', 'add', 'osd.0', '1.0', 'root=default']);
        })(state.osdUuid),
      ]);
      await writeState(p.state, state);
    } else {
      if (state.monPort === rgwPort || !(await isPortFree(state.monPort))) {
        // The mon's address is part of its stored monmap: move it to a free port.
        state = { ...state, monPort: freeMon };
        await runTool(bin.monmaptool, [
          '--create',
          '--clobber',
          '--addv',
          'a',
          `v1:127.0.0.1:${state.monPort}`,
          '--fsid',
          state.fsid,
          p.monmap,
        ]);
        await writeConf(state);
        await runTool(bin.mon, [...conf, '-i', 'a', '--inject-monmap', p.monmap]);
        await writeState(p.state, state);
      }
      await writeConf(state);
      await daemon('ceph-mon', bin.mon, ['-f', '-i', 'a'], 'mon.a');
    }
    await daemon('ceph-osd', bin.osd, ['-f', '-i', '0'], 'osd.0');
    await daemon('radosgw', bin.rgw, ['-f', '-n', RGW_NAME], RGW_NAME);

    const url = `http://127.0.0.1:${rgwPort}`;
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    // radosgw listens only once its pools exist, i.e. once the OSD is up.
    await waitReady('s3 (radosgw)', async () => (await httpStatus(url)) > 0, { timeoutMs, processes });
    state = await ensureUser(bin.admin, conf, state, options);
    await writeState(p.state, state);
    const keys = { accessKey: state.accessKey, secretKey: state.secretKey };
    await waitReady(
      's3 (radosgw)',
      async () => {
        const target = new URL(`${url}/`);
        const headers = signRequest({
          method: 'GET',
          url: target,
          region,
          ...keys,
          payloadSha256: sha256Hex(''),
        });
        return (await httpStatus(target.href, headers)) === 200;
      },
      { timeoutMs, processes },
    );

    let stopping: Promise<void> | undefined;
    return {
      url,
      endPoint: '127.0.0.1',
      port: rgwPort,
      useSSL: false,
      ...keys,
      region,
      dataDir: dir,
      get pids() {
        return processes.filter((x) => !x.exitInfo).map((x) => x.pid);
      },
      stop() {
        stopping ??= stopInOrder(processes, options.stopTimeoutMs ?? 10_000);
        return stopping;
      },
    };
  } catch (err) {
    await Promise.all(processes.map((x) => x.kill()));
    throw err;
  }
}

/** radosgw before the OSD before the mon: each needs the next one to shut down cleanly. */
async function stopInOrder(processes: readonly ServerProcess[], timeoutMs: number): Promise<void> {
  for (const proc of [...processes].reverse()) await proc.stop(timeoutMs);
}

async function ensureUser(
  admin: string,
  conf: string[],
  state: ClusterState,
  options: S3ServerOptions,
): Promise<ClusterState> {
  const accessKey = options.accessKey ?? state.accessKey;
  const secretKey = options.secretKey ?? state.secretKey;
  const keyArgs = [`--access-key=${accessKey}`, `--secret-key=${secretKey}`];
  if (!state.userCreated) {
    await runTool(admin, [
      ...conf,
      'user',
      'create',
      `--uid=${RGW_UID}`,
      '--display-name=Muster',
      ...keyArgs,
    ]);
  } else if (accessKey !== state.accessKey || secretKey !== state.secretKey) {
    await runTool(admin, [...conf, 'key', 'create', `--uid=${RGW_UID}`, '--key-type=s3', ...keyArgs]);
  }
  return { ...state, accessKey, secretKey, userCreated: true };
}

async function readState(file: string): Promise<ClusterState | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as ClusterState;
  } catch {
    return undefined;
  }
}

async function writeState(file: string, state: ClusterState): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${file}.tmp`, file);
}

/**
 * A ceph CLI call, retried while the mon that just started answers "problem getting command
 * descriptions" (EPERM) or is not reachable yet. Both commands used here are idempotent.
 */
async function cephCommand(ceph: string, args: readonly string[], attempts = 20): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await runToolRaw(ceph, args, { timeoutMs: 90_000 });
    if (result.code === 0) return;
    const transient =
      /problem getting command descriptions|error connecting to the cluster|ETIMEDOUT|EAGAIN/.test(
        result.stderr,
      );
    if (!transient || attempt >= attempts) {
      throw new Error(`${ceph} ${args.join(' ')} exited with code ${result.code}:\n${result.stderr.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250 * Math.min(attempt, 4)));
  }
}
