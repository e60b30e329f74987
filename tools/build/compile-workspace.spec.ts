import { join } from 'node:path';
import { readDefaultTsConfig, tsCompilerOptionsToSwcConfig } from '@swc-node/register/read-default-tsconfig';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, swcOptions } from './compile-workspace.ts';

describe('swcOptions', () => {
  it('compiles as @swc-node/register runs the source in development and tests', async () => {
    // What @swc-node/register makes of the tsconfig that `npm start` and the e2e tests use.
    const dev = tsCompilerOptionsToSwcConfig(readDefaultTsConfig(join(REPO_ROOT, 'tsconfig.json')), 'x.ts');
    const build = await swcOptions();
    expect(build.module?.type).toBe(dev.module);
    expect(build.jsc?.target).toBe(dev.target);
    expect(build.jsc?.parser).toMatchObject({ syntax: 'typescript', decorators: dev.experimentalDecorators });
    expect(build.jsc?.transform).toMatchObject({
      legacyDecorator: dev.experimentalDecorators,
      decoratorMetadata: dev.emitDecoratorMetadata,
      useDefineForClassFields: dev.useDefineForClassFields,
    });
    expect(build.jsc?.keepClassNames).toBe(dev.keepClassNames);
    // The settings that matter for NestJS and TypeORM are on.
    expect(dev.emitDecoratorMetadata && dev.experimentalDecorators).toBe(true);
  });
});
