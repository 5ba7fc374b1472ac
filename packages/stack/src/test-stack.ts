/**
 * The whole stack for end-to-end tests: the processes `npm start` runs, on free ports, with their output kept
 * and printed only if the stack fails to start (a passing run stays quiet).
 */
import { freeStackConfig, type StackConfig } from './config.ts';
import { type Stack, startStack } from './launcher.ts';
import { stackProcesses } from './stack.ts';

/** A started test stack and the configuration it runs with. */
export interface TestStack {
  stack: Stack;
  config: StackConfig;
  /** Every line the processes printed so far, prefixed with their name. */
  output: string[];
}

/** Starts the stack on free ports; `env` adds or overrides stack variables. */
export async function startTestStack(env: NodeJS.ProcessEnv = {}): Promise<TestStack> {
  const config = await freeStackConfig(env);
  const output: string[] = [];
  try {
    const stack = await startStack(stackProcesses(config), {
      sink: (name, line) => output.push(`${name} | ${line}`),
      readyTimeoutMs: 60_000,
    });
    return { stack, config, output };
  } catch (err) {
    process.stderr.write(`${output.join('\n')}\n`);
    throw err;
  }
}
