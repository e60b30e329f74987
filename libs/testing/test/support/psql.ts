import { postgresBinDir, requireBinary } from '../../src/internal/binaries.js';
import { runTool } from '../../src/internal/run-tool.js';

/** Runs SQL through psql over TCP and returns its unaligned, tuples-only output. */
export async function psql(port: number, sql: string): Promise<string> {
  const binary = requireBinary('psql', [postgresBinDir()]);
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-U',
    'postgres',
    '-d',
    'postgres',
    '-X',
    '-At',
    '-v',
    'ON_ERROR_STOP=1',
    '-c',
    sql,
  ];
  const { stdout } = await runTool(binary, args);
  return stdout.trim();
}
