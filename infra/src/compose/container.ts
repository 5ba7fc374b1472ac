/**
 * What a compose service's container runs: its image's configuration (from the Dockerfile stage compose builds)
 * with the service's overrides, as Docker would combine them: command and entrypoint, environment, working
 * directory, user, health check. It also names what such a container could not run (a command the image lacks).
 */

import { readFile } from 'node:fs/promises';
import { type BaseImage, nodeEntrypoint } from './base-images.ts';
import type { ServiceSpec } from './compose-file.ts';
import { type ImageConfig, imageConfig } from './dockerfile.ts';
import { type Healthcheck, mergeHealthchecks } from './healthcheck.ts';

/** A service the container view cannot be built for (no build section, unknown user...). */
export class ContainerPlanError extends Error {
  readonly code = 'CONTAINER_PLAN_INVALID';
}

/** A service's container, as Docker would start it (paths are the container's). */
export interface ContainerPlan {
  readonly service: ServiceSpec;
  readonly image: ImageConfig;
  /** What the container's PID 1 execs, after the base image's entrypoint script has had its say. */
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly workdir: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly healthcheck: Healthcheck | undefined;
}

/** `1000`, `1000:1000` or a user name of the base image. */
export function resolveUser(user: string, base: BaseImage): { uid: number; gid: number; home: string } {
  const [name = '', group] = user.split(':');
  const known = base.users[name];
  const uid = /^\d+$/.test(name) ? Number(name) : known?.uid;
  if (uid === undefined) throw new ContainerPlanError(`user ${user} is not in ${base.name}`);
  const gid = group !== undefined && /^\d+$/.test(group) ? Number(group) : (known?.gid ?? uid);
  const home = Object.values(base.users).find((u) => u.uid === uid)?.home ?? '/';
  return { uid, gid, home };
}

/**
 * Why the image could not run `argv` (its first word is not a command the base image has), or undefined.
 * Paths (`/app/x`) are left to the rehearsal, which sees whether they exist.
 */
export function missingCommand(argv: readonly string[], base: BaseImage): string | undefined {
  const [command] = argv;
  if (command === undefined) return 'empty command';
  if (command.includes('/')) return undefined;
  if (base.executables.has(command)) return undefined;
  const hint = base.lacks[command];
  return `${base.name} has no ${command}${hint ? ` (${hint})` : ''}`;
}

/** Builds the container view of `service` from its Dockerfile stage. */
export async function planContainer(service: ServiceSpec): Promise<ContainerPlan> {
  if (service.build === undefined) {
    throw new ContainerPlanError(
      `${service.name}: only services built from this repository's Dockerfile are planned`,
    );
  }
  const text = await readFile(service.build.dockerfile, 'utf8');
  const image = imageConfig(text, service.build.target, service.build.args);
  // Compose: an entrypoint given by the service drops the image's CMD too.
  const entrypoint = service.entrypoint ?? image.entrypoint;
  const cmd = service.command ?? (service.entrypoint === undefined ? image.cmd : []);
  let argv = [...entrypoint, ...cmd];
  if (argv[0] === 'docker-entrypoint.sh') argv = nodeEntrypoint(argv.slice(1), image.base);
  const user = resolveUser(service.user ?? image.user, image.base);
  return {
    service,
    image,
    argv,
    env: { HOME: user.home, HOSTNAME: service.name, ...image.env, ...service.environment },
    workdir: service.workingDir ?? image.workdir,
    ...user,
    healthcheck: mergeHealthchecks(image.healthcheck, service.healthcheck),
  };
}
