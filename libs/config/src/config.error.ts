/** One bad, missing or unknown environment variable. */
export interface ConfigIssue {
  readonly variable: string;
  readonly message: string;
}

/** The environment does not make a valid configuration; `issues` lists every problem found. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly issues: readonly ConfigIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      `invalid configuration (${count}):\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`,
    );
  }
}
