/**
 * One network namespace per compose service, joined by veth pairs to a bridge this run creates, as Compose's
 * default network joins containers: one address per service in a private /24 (10.213.N.0/24, N chosen free for
 * this run), `/etc/netns/<ns>/hosts` resolving every service name, no DNS server and no route out, so no
 * traffic leaves the machine. The bridge gets the .1 address, which lets this process reach the services
 * (it stands in for Docker's published ports). Every name carries a random suffix, so runs never collide.
 */

import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** An `ip` command failed. */
export class NetworkSetupError extends Error {
  readonly code = 'NETNS_SETUP_FAILED';
}

/** Runs `ip` with a deadline; throws {@link NetworkSetupError} with its stderr. */
export async function ip(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run('ip', args, { timeout: 10_000 });
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new NetworkSetupError(`ip ${args.join(' ')}: ${stderr || (err as Error).message}`);
  }
}

/** One service's place on the network. */
export interface Member {
  readonly service: string;
  readonly namespace: string;
  readonly address: string;
}

const NETNS_ETC = '/etc/netns';

/** Third octets of 10.213.0.0/16 already on this machine's interfaces or routes. */
async function usedOctets(): Promise<Set<number>> {
  const text = `${await ip(['-o', '-4', 'addr', 'show'])}\n${await ip(['-4', 'route', 'show', 'table', 'all'])}`;
  return new Set([...text.matchAll(/\b10\.213\.(\d+)\./g)].map((m) => Number(m[1])));
}

/** The network of one rehearsal. Create it with {@link createNetwork}; {@link destroy} removes all of it. */
export class Network {
  readonly suffix: string;
  readonly subnet: string;
  readonly bridge: string;
  readonly hostAddress: string;
  readonly #members = new Map<string, Member>();
  readonly #created: { namespaces: string[]; bridge: boolean } = { namespaces: [], bridge: false };

  constructor(suffix: string, octet: number) {
    this.suffix = suffix;
    this.subnet = `10.213.${octet}.0/24`;
    this.bridge = `gpbr${suffix}`;
    this.hostAddress = `10.213.${octet}.1`;
  }

  /** Every member, in the order added. */
  get members(): Member[] {
    return [...this.#members.values()];
  }

  /** The member for `service`. */
  member(service: string): Member {
    const member = this.#members.get(service);
    if (member === undefined) throw new NetworkSetupError(`${service} is not on the network`);
    return member;
  }

  async createBridge(): Promise<void> {
    await ip(['link', 'add', this.bridge, 'type', 'bridge']);
    this.#created.bridge = true;
    await ip(['addr', 'add', `${this.hostAddress}/24`, 'dev', this.bridge]);
    await ip(['link', 'set', this.bridge, 'up']);
  }

  async addMember(service: string): Promise<Member> {
    const index = this.#members.size;
    const namespace = `gp-${this.suffix}-${service}`;
    const address = this.hostAddress.replace(/\.1$/, `.${10 + index}`);
    const outside = `gp${this.suffix}h${index}`;
    const inside = `gp${this.suffix}c${index}`;
    await ip(['netns', 'add', namespace]);
    this.#created.namespaces.push(namespace);
    await ip(['link', 'add', outside, 'type', 'veth', 'peer', 'name', inside]);
    // Moved into the namespace, the inner end (and so the pair) goes away with it.
    await ip(['link', 'set', inside, 'netns', namespace]).catch(async (err: unknown) => {
      await ip(['link', 'del', outside]).catch(() => {});
      throw err;
    });
    await ip(['-n', namespace, 'link', 'set', inside, 'name', 'eth0']);
    await ip(['-n', namespace, 'addr', 'add', `${address}/24`, 'dev', 'eth0']);
    await ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
    await ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
    await ip(['link', 'set', outside, 'master', this.bridge]);
    await ip(['link', 'set', outside, 'up']);
    const member = { service, namespace, address };
    this.#members.set(service, member);
    return member;
  }

  /** Writes each namespace's hosts (every service name) and an empty resolv.conf (no DNS server to ask). */
  async writeResolverFiles(): Promise<void> {
    const names = this.members.map((m) => `${m.address}\t${m.service}`).join('\n');
    for (const member of this.members) {
      const dir = join(NETNS_ETC, member.namespace);
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'hosts'), `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost\n${names}\n`);
      await writeFile(
        join(dir, 'resolv.conf'),
        '# compose rehearsal: names come from hosts; no DNS server\n',
      );
    }
  }

  /** Removes the namespaces (and with them the veth pairs), the bridge and the files; never throws. */
  async destroy(): Promise<string[]> {
    const problems: string[] = [];
    for (const namespace of this.#created.namespaces.splice(0)) {
      await ip(['netns', 'del', namespace]).catch((err: Error) => problems.push(err.message));
      await rm(join(NETNS_ETC, namespace), { recursive: true, force: true });
    }
    if (this.#created.bridge) {
      this.#created.bridge = false;
      await ip(['link', 'del', this.bridge]).catch((err: Error) => problems.push(err.message));
    }
    // Leave /etc/netns as found: remove it only if this run created its last entry.
    if ((await readdir(NETNS_ETC).catch(() => ['?'])).length === 0) await rmdir(NETNS_ETC).catch(() => {});
    return problems;
  }
}

/**
 * Creates the bridge and one namespace per service. On a failure part-way, what was created is removed
 * before the error is thrown.
 */
export async function createNetwork(services: readonly string[]): Promise<Network> {
  const used = await usedOctets();
  const free = Array.from({ length: 254 }, (_, i) => i + 1).filter((n) => !used.has(n));
  const octet = free[Math.floor(Math.random() * free.length)];
  if (octet === undefined) throw new NetworkSetupError('no free /24 left in 10.213.0.0/16');
  const network = new Network(randomBytes(2).toString('hex'), octet);
  try {
    await network.createBridge();
    for (const service of services) await network.addMember(service);
    await network.writeResolverFiles();
  } catch (err) {
    await network.destroy();
    throw err;
  }
  return network;
}
