// Whether the npm registry answers, as the tests that install from it need to know before they skip: when it
// does not, npm's own words (which registry, ECONNREFUSED / ENOTFOUND / a proxy's 403 ...) say why, so a skip
// never hides a misconfiguration behind "unreachable".
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type RegistryCheck = { reachable: true } | { reachable: false; error: string };

/** `npm ping` with no retries, in the given environment. Never throws. */
export async function registryReachable(env: NodeJS.ProcessEnv, timeoutMillis = 15_000): Promise<RegistryCheck> {
  try {
    await run('npm', ['ping', '--fetch-timeout=5000', '--fetch-retries=0'], { env, timeout: timeoutMillis });
    return { reachable: true };
  } catch (err) {
    const { stderr, killed, message } = err as { stderr?: string; killed?: boolean; message: string };
    const said = (stderr ?? '').trim();
    // execFile's message is "Command failed: npm ping ..." followed by stderr again: its first line is enough.
    const head = killed ? `npm ping did not answer within ${timeoutMillis} ms` : message.split('\n')[0]!;
    return { reachable: false, error: said ? `${head}\n${said}` : head };
  }
}
