import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildImage, GEN_DIR, PROTO_DIR, withTempDir } from './build.ts';
import { diffGenerated, type GenDiff } from './codegen.ts';
import { diffPublished, PUBLISHED_DIR } from './published.ts';
import { checkoutProto, resolveBase } from './git-base.ts';
import { buf, protoc, run } from './toolchain.ts';

export interface StepResult {
  readonly step: string;
  readonly ok: boolean;
  /** One line for the summary. */
  readonly message: string;
  /** The tool's own output, when there is something to show. */
  readonly details?: string;
}

const protocVersion = (): string => run(protoc(), ['--version'], '.').stdout.trim();

const output = (r: { stdout: string; stderr: string }): string => (r.stdout + r.stderr).trim();

export function checkFormat(root: string): StepResult {
  const r = buf(['format', '-d', '--exit-code', PROTO_DIR], root);
  return r.status === 0
    ? { step: 'format', ok: true, message: `${PROTO_DIR}/ is formatted` }
    : {
        step: 'format',
        ok: false,
        message: `${PROTO_DIR}/ is not formatted: run \`npx buf format -w ${PROTO_DIR}\``,
        details: output(r),
      };
}

export function checkLint(root: string, image: string): StepResult {
  const r = buf(['lint', image, '--config', join(root, 'buf.yaml')], root);
  return r.status === 0
    ? { step: 'lint', ok: true, message: 'buf lint passed' }
    : { step: 'lint', ok: false, message: 'buf lint found problems', details: output(r) };
}

/** FILE-level breaking-change check of image against proto/ at the base revision. */
export function checkBreaking(root: string, image: string, override?: string): StepResult {
  const base = resolveBase(root, override);
  if (base === undefined)
    return { step: 'breaking', ok: true, message: 'no base revision: nothing to compare' };
  return withTempDir('base', (work) => {
    const baseProto = join(work, 'proto');
    mkdirSync(baseProto);
    if (!checkoutProto(root, base, baseProto)) {
      return { step: 'breaking', ok: true, message: `base ${base} has no ${PROTO_DIR}/: nothing to compare` };
    }
    const against = join(work, 'base.binpb');
    buildImage(baseProto, against, work);
    const r = buf(['breaking', image, '--against', against, '--config', join(root, 'buf.yaml')], root);
    return r.status === 0
      ? { step: 'breaking', ok: true, message: `no breaking changes against ${base}` }
      : {
          step: 'breaking',
          ok: false,
          message: `breaking changes against ${base}: keep v1 additive, or add a v2 message and subject`,
          details: output(r),
        };
  });
}

function driftProblems(dir: string, { stale, missing, extra }: GenDiff): string[] {
  return [
    ...stale.map((f) => `${dir}/${f} (differs)`),
    ...missing.map((f) => `${dir}/${f} (missing)`),
    ...extra.map((f) => `${dir}/${f} (should not exist)`),
  ];
}

export function checkDrift(root: string): StepResult {
  const problems = driftProblems(GEN_DIR, diffGenerated(root));
  return problems.length === 0
    ? { step: 'drift', ok: true, message: `${GEN_DIR} matches ${PROTO_DIR}/` }
    : {
        step: 'drift',
        ok: false,
        message: `${GEN_DIR} is stale: run \`npm run contracts:gen\``,
        details: problems.join('\n'),
      };
}

/** The published catalogue and descriptor set match proto/ and the contracts table. */
export function checkPublished(root: string): StepResult {
  const problems = driftProblems(PUBLISHED_DIR, diffPublished(root));
  return problems.length === 0
    ? {
        step: 'published',
        ok: true,
        message: `${PUBLISHED_DIR} matches ${PROTO_DIR}/ and the contracts table`,
      }
    : {
        step: 'published',
        ok: false,
        message: `${PUBLISHED_DIR} is stale: run \`npm run contracts:gen\``,
        details: problems.join('\n'),
      };
}

/** Every check, in order; a failure of one does not stop the others. */
export function runChecks(root: string, options: { against?: string } = {}): StepResult[] {
  const results = [checkFormat(root)];
  withTempDir('image', (work) => {
    const image = join(work, 'image.binpb');
    try {
      buildImage(join(root, PROTO_DIR), image, work);
    } catch (err) {
      results.push({
        step: 'build',
        ok: false,
        message: `${PROTO_DIR}/ does not compile`,
        details: (err as Error).message,
      });
      return;
    }
    results.push({ step: 'build', ok: true, message: `${PROTO_DIR}/ compiles (${protocVersion()})` });
    results.push(checkLint(root, image));
    results.push(guard('breaking', () => checkBreaking(root, image, options.against)));
  });
  results.push(guard('drift', () => checkDrift(root)));
  results.push(guard('published', () => checkPublished(root)));
  return results;
}

function guard(step: string, fn: () => StepResult): StepResult {
  try {
    return fn();
  } catch (err) {
    const [first = '', ...rest] = (err as Error).message.split('\n');
    return rest.length > 0
      ? { step, ok: false, message: first, details: rest.join('\n') }
      : { step, ok: false, message: first };
  }
}
