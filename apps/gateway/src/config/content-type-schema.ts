/** The `contentType` middleware's options (Traefik v3). */

import { boolean, type Infer, object, type Schema } from './schema.ts';

const plainBoolean = boolean();

/** `autoDetect` still works in Traefik v3 but is deprecated: present, it gives a warning. */
const autoDetect: Schema<boolean> = {
  ...plainBoolean,
  parse(value, path, issues) {
    const parsed = plainBoolean.parse(value, path, issues);
    if (parsed !== undefined) {
      issues.warn(path, 'deprecated in Traefik v3: `contentType: {}` enables detection, remove the option');
    }
    return parsed;
  },
};

/** `contentType`: `{}` turns detection on; `autoDetect: false` makes the middleware do nothing. */
export const contentTypeSchema = object({ autoDetect });

/** `contentType` middleware options. */
export type ContentTypeConfig = Infer<typeof contentTypeSchema>;
