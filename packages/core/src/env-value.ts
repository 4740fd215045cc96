/**
 * The one rule for reading an environment variable: a variable that is set but empty (`LOKI_URL=` in
 * a shell, a .env file or a compose file) means unset, so the caller's default applies. Every reader
 * of the environment (examples, CLI, bench) goes through this.
 */
export function envValue(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}
