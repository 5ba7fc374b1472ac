import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: the build context of every image, and compose.yaml's project directory. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `compose.yaml`, which `docker compose up` reads from the root. */
export const COMPOSE_FILE = join(REPO_ROOT, 'compose.yaml');

/** Node 24 from the `node` devDependency: what `node` in the images stands for when the rehearsal runs them. */
export const NODE_24 = join(REPO_ROOT, 'node_modules', '.bin', 'node');
