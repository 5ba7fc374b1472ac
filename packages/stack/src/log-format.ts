const LEVELS: Record<number, string> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};
// Fields every pino line carries that a person reading the terminal does not need repeated.
const NOISE = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'service', 'reqId', 'v']);

/**
 * Turns one line of a child's output into what the terminal shows: pino JSON becomes
 * `debug request method=GET path=/ status=200`, anything else passes through unchanged.
 */
export function formatLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof record.level === 'number' ? (LEVELS[record.level] ?? String(record.level)) : 'info';
  const parts = [level.padEnd(5), typeof record.msg === 'string' ? record.msg : ''];
  for (const [key, value] of Object.entries(record)) {
    if (NOISE.has(key) || value === undefined) continue;
    if (key === 'err' && value && typeof value === 'object' && 'message' in value) {
      parts.push(`err=${JSON.stringify((value as { message: unknown }).message)}`);
      continue;
    }
    parts.push(`${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  }
  return parts.filter(Boolean).join(' ');
}
