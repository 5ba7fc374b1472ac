#!/usr/bin/env node
/** The `gateway` bin: `npx gateway --configFile infra/gateway/gateway.yml`. */

import { main } from './main.ts';

await main();
