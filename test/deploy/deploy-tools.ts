// Running the deployment tools from the deploy tests: a missing tool fails the test with the
// command that installs it (never a skip), and a kustomize overlay is rendered to objects.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { parseAllDocuments } from 'yaml';

export const root = resolve(import.meta.dirname, '../..');

/** docker-compose 1.x resolves the seccomp profile path from its working directory. */
export const composeDir = resolve(root, 'deploy/compose');

export interface ToolResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool; a missing one throws with `install` (the command that installs it). */
export function runTool(
  command: string,
  args: string[],
  install: string,
  options: { cwd?: string; input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): ToolResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd ?? root,
    env: options.env ?? process.env,
    encoding: 'utf8',
    input: options.input,
    timeout: options.timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing
        ? `${command} is not installed; install it with: ${install}`
        : `cannot run ${command}: ${result.error.message}`,
    );
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

export const KUBECTL_INSTALL = 'apt-get install -y kubernetes-client';

/** `kubectl kustomize` of deploy/k8s/overlays/<overlay>, parsed. */
export function renderOverlay(overlay: string): K8sObject[] {
  return renderKustomization(`deploy/k8s/overlays/${overlay}`);
}

/** `kubectl kustomize` of a directory (relative to the repository root), parsed. */
export function renderKustomization(dir: string): K8sObject[] {
  const { status, stdout, stderr } = runTool('kubectl', ['kustomize', dir], KUBECTL_INSTALL);
  if (status !== 0) throw new Error(`kubectl kustomize ${dir} exited ${status}:\n${stderr}`);
  return parseAllDocuments(stdout).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`unparsable YAML from kustomize: ${doc.errors[0]?.message}`);
    return doc.toJS() as K8sObject;
  });
}
