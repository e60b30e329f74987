/** The input cannot make a disk image; the message names the field and what is wrong with it. */
export class DiskImageInputError extends Error {
  override readonly name = 'DiskImageInputError';
  constructor(
    readonly field: string,
    problem: string,
  ) {
    super(`disk image: ${field}: ${problem}`);
  }
}

/** A tool the disk build runs is not installed; the message says how to install it. */
export class MissingToolError extends Error {
  override readonly name = 'MissingToolError';
  constructor(
    readonly tool: string,
    readonly debianPackage: string,
  ) {
    super(
      `${tool} is not installed. Fix — run: sudo bash scripts/setup.sh ` +
        `(or: sudo apt-get install -y --no-install-recommends ${debianPackage})`,
    );
  }
}

/** A tool exited with an error; carries the command and the end of what it printed. */
export class ToolFailedError extends Error {
  override readonly name = 'ToolFailedError';
  constructor(
    readonly command: readonly string[],
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`${command.join(' ')} failed (exit ${exitCode ?? 'by signal'})${output ? `:\n${output}` : ''}`);
  }
}
