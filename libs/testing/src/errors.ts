/** A server binary the harness needs is not installed; the message names the exact fix. */
export class MissingBinaryError extends Error {
  override readonly name = 'MissingBinaryError';
  readonly binary: string;
  readonly debianPackage: string;

  constructor(binary: string, debianPackage: string, searched: readonly string[]) {
    super(
      `${binary} is not installed (looked in ${searched.join(', ')}). ` +
        `Fix — run: sudo bash scripts/setup.sh ` +
        `(or: sudo apt-get install -y --no-install-recommends ${debianPackage})`,
    );
    this.binary = binary;
    this.debianPackage = debianPackage;
  }
}

/** A server did not become ready: it exited, or its readiness probe timed out. Carries its log tail. */
export class ServerStartError extends Error {
  override readonly name = 'ServerStartError';
  readonly server: string;
  readonly logTail: string;

  constructor(server: string, reason: string, logTail = '', options?: ErrorOptions) {
    super(
      `${server} failed to start: ${reason}${logTail ? `\n--- last lines of its log ---\n${logTail}` : ''}`,
      options,
    );
    this.server = server;
    this.logTail = logTail;
  }
}
