/**
 * The pages are written for the default ports (`http :8000/...`); the tests run the stack on free ports so
 * they never collide with a stack the reader already runs. These rewrite a command's ports to the test
 * stack's, and the test stack's ports in its output back to the defaults the page shows.
 */
import { type StackConfig, StackEnv } from '../config.ts';

/** A default port and the port the test stack uses instead. */
export interface PortPair {
  readonly standard: number;
  readonly actual: number;
}

/** The port pairs of a stack configuration, one per port variable of {@link StackEnv}. */
export function portPairs(config: StackConfig): PortPair[] {
  const pairs: PortPair[] = [];
  for (const [name, schema] of Object.entries(StackEnv.properties)) {
    const standard = (schema as { default?: unknown }).default;
    const actual = config[name as keyof StackConfig];
    if (typeof standard === 'number' && typeof actual === 'number') pairs.push({ standard, actual });
  }
  return pairs;
}

// A port follows a colon that ends a host (`localhost:8000`, `127.0.0.1:8000`) or starts HTTPie's `:8000`.
// All ports are rewritten in one pass, so a rewritten port is never rewritten again.
function swap(text: string, pairs: PortPair[], from: 'standard' | 'actual'): string {
  const to = from === 'standard' ? 'actual' : 'standard';
  const target = new Map(pairs.map((pair) => [String(pair[from]), String(pair[to])]));
  const ports = [...target.keys()].join('|');
  const pattern = new RegExp(`(^|[\\s'"=/@a-z0-9\\]]):(${ports})(?![0-9])`, 'g');
  return text.replace(pattern, (_, before: string, port: string) => `${before}:${target.get(port)}`);
}

/** The command with the page's default ports replaced by the test stack's. */
export const toActualPorts = (command: string, pairs: PortPair[]): string => swap(command, pairs, 'standard');

/** The output with the test stack's ports replaced by the defaults the page shows. */
export const toStandardPorts = (output: string, pairs: PortPair[]): string => swap(output, pairs, 'actual');
