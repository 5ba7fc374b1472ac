export type { ChildExit, LineSink, ProcessSpec } from './child.ts';
export { ChildService } from './child.ts';
export { freeStackConfig, loadStackConfig, repoRoot, type StackConfig } from './config.ts';
export { freePorts } from './free-ports.ts';
export { type Stack, StackStartError, type StartOptions, startStack } from './launcher.ts';
export { formatLogLine } from './log-format.ts';
export { waitForHttp } from './readiness.ts';
export { stackProcesses } from './stack.ts';
