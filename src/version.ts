/** The tool's version, from package.json (one source of truth). */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const VERSION: string = (require('../package.json') as { version: string }).version;
export const TOOL = 'vfio-review' as const;
