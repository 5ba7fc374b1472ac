/**
 * The configuration an image built from a Dockerfile stage runs with: the stage's chain of FROMs is followed back
 * to its base image, and ARG, ENV, WORKDIR, USER, CMD, ENTRYPOINT, HEALTHCHECK and EXPOSE are applied in order
 * with Docker's variable substitution. Files (COPY, RUN) are not modelled: that is the image build.
 */

import { posix } from 'node:path';
import { Arg, DockerfileParser, Env, Healthcheck, type Instruction } from 'dockerfile-ast';
import { BASE_IMAGES, type BaseImage } from './base-images.ts';
import { durationMs, type HealthcheckFields, parseTest } from './healthcheck.ts';

/** The Dockerfile names a stage or base image this reader cannot resolve, or an instruction it cannot read. */
export class DockerfileError extends Error {
  readonly code = 'DOCKERFILE_INVALID';
}

/** The runtime configuration of one stage. */
export interface ImageConfig {
  /** The stage (`FROM ... AS name`). */
  readonly stage: string;
  /** The external image the chain of stages starts from. */
  readonly base: BaseImage;
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  readonly user: string;
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly healthcheck: HealthcheckFields | undefined;
  readonly exposed: readonly number[];
}

interface Stage {
  readonly name: string | undefined;
  readonly from: string;
  readonly instructions: Instruction[];
}

type Vars = Readonly<Record<string, string | undefined>>;

/** `$NAME`, `${NAME}`, `${NAME:-word}` and `${NAME:+word}`, as Docker substitutes them in instructions. */
export function substitute(text: string, vars: Vars): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      _m,
      braced: string | undefined,
      op: string | undefined,
      word: string | undefined,
      bare: string | undefined,
    ) => {
      const value = vars[braced ?? bare ?? ''];
      if (op === '-') return value ? value : (word ?? '');
      if (op === '+') return value ? (word ?? '') : '';
      return value ?? '';
    },
  );
}

/** An exec-form (`["a", "b"]`) or shell-form command, as Docker stores it. */
function parseCommand(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((part) => typeof part === 'string')) return parsed;
    } catch {
      // Docker runs a malformed JSON array as a shell command; fall through and do the same.
    }
  }
  return ['/bin/sh', '-c', trimmed];
}

function parseHealthcheck(instruction: Instruction, vars: Vars): HealthcheckFields {
  const content = instruction.getArgumentsContent() ?? '';
  const match = /(?:^|\s)(CMD|NONE)(?:\s+([\s\S]*))?$/.exec(content);
  if (!match) throw new DockerfileError(`HEALTHCHECK without CMD or NONE: ${content}`);
  if (match[1] === 'NONE') return { test: 'none' };
  const argv = parseCommand(match[2] ?? '');
  const fields: HealthcheckFields = {
    test:
      argv[0] === '/bin/sh' && argv[1] === '-c'
        ? parseTest(['CMD-SHELL', argv[2] ?? ''], 'HEALTHCHECK')
        : parseTest(['CMD', ...argv], 'HEALTHCHECK'),
  };
  const flags = instruction instanceof Healthcheck ? instruction.getFlags() : [];
  for (const flag of flags) {
    const name = flag.getName();
    const value = substitute(flag.getValue() ?? '', vars);
    if (name === 'interval') fields.intervalMs = durationMs(value, 'HEALTHCHECK --interval');
    else if (name === 'timeout') fields.timeoutMs = durationMs(value, 'HEALTHCHECK --timeout');
    else if (name === 'start-period') fields.startPeriodMs = durationMs(value, 'HEALTHCHECK --start-period');
    else if (name === 'retries') fields.retries = Number(value);
    else throw new DockerfileError(`HEALTHCHECK --${name} is not read here`);
  }
  return fields;
}

function splitStages(
  text: string,
  buildArgs: Vars,
): { stages: Stage[]; globals: Record<string, string | undefined> } {
  const globals: Record<string, string | undefined> = {};
  const stages: { name: string | undefined; from: string; instructions: Instruction[] }[] = [];
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') {
      const [image = '', as, name] = instruction.getArguments().map((a) => a.getValue());
      stages.push({
        name: as?.toUpperCase() === 'AS' ? name : undefined,
        from: substitute(image, globals),
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (keyword !== 'ARG' || !(instruction instanceof Arg)) continue;
      const property = instruction.getProperty();
      if (property)
        globals[property.getName()] = buildArgs[property.getName()] ?? property.getValue() ?? undefined;
    } else stages.at(-1)?.instructions.push(instruction);
  }
  return { stages, globals };
}

/**
 * The configuration of `target` (the last stage when undefined), with `buildArgs` as `--build-arg`s.
 * Throws {@link DockerfileError} for an unknown stage or a base image missing from {@link BASE_IMAGES}.
 */
export function imageConfig(text: string, target: string | undefined, buildArgs: Vars = {}): ImageConfig {
  const { stages, globals } = splitStages(text, buildArgs);
  const resolveStage = (index: number): ImageConfig => {
    const stage = stages[index];
    if (stage === undefined) throw new DockerfileError('no stage');
    const parentIndex = stages.findIndex((s, i) => i < index && s.name === stage.from);
    let config: ImageConfig;
    if (parentIndex !== -1) config = resolveStage(parentIndex);
    else {
      const base = BASE_IMAGES.get(stage.from);
      if (base === undefined) throw new DockerfileError(`FROM ${stage.from}: not a known base image`);
      config = {
        stage: '',
        base,
        env: base.env,
        workdir: base.workdir,
        user: base.user,
        entrypoint: base.entrypoint,
        cmd: base.cmd,
        healthcheck: undefined,
        exposed: [],
      };
    }
    const env: Record<string, string> = { ...config.env };
    const args: Record<string, string | undefined> = {};
    let { workdir, user, entrypoint, cmd, healthcheck } = config;
    const exposed = [...config.exposed];
    let cmdSetHere = false;
    const vars = (): Vars => ({ ...args, ...env });
    for (const instruction of stage.instructions) {
      const words = () => instruction.getArguments().map((a) => substitute(a.getValue(), vars()));
      switch (instruction.getKeyword()) {
        case 'ARG': {
          const property = instruction instanceof Arg ? instruction.getProperty() : null;
          if (property) {
            const name = property.getName();
            args[name] = buildArgs[name] ?? property.getValue() ?? globals[name];
          }
          break;
        }
        case 'ENV':
          if (instruction instanceof Env) {
            const current = vars();
            for (const property of instruction.getProperties()) {
              env[property.getName()] = substitute(property.getUnescapedValue() ?? '', current);
            }
          }
          break;
        case 'WORKDIR':
          workdir = posix.resolve(workdir, words().join(' '));
          break;
        case 'USER':
          user = words().join(' ');
          break;
        case 'CMD':
          cmd = parseCommand(instruction.getArgumentsContent() ?? '');
          cmdSetHere = true;
          break;
        case 'ENTRYPOINT':
          entrypoint = parseCommand(instruction.getArgumentsContent() ?? '');
          // Docker: a new ENTRYPOINT drops the CMD inherited from the parent.
          if (!cmdSetHere) cmd = [];
          break;
        case 'HEALTHCHECK':
          healthcheck = parseHealthcheck(instruction, vars());
          break;
        case 'EXPOSE':
          for (const word of words()) exposed.push(Number.parseInt(word, 10));
          break;
      }
    }
    return {
      stage: stage.name ?? String(index),
      base: config.base,
      env,
      workdir,
      user,
      entrypoint,
      cmd,
      healthcheck,
      exposed,
    };
  };
  const index = target === undefined ? stages.length - 1 : stages.findIndex((s) => s.name === target);
  if (index === -1) throw new DockerfileError(`no stage named ${target}`);
  return resolveStage(index);
}
