/**
 * Build step (scripts/build-cli.mjs runs it from the bundle): validate the package's rules/
 * with the YAML loaders and store the result as the knowledge-base snapshot (snapshot.ts).
 * A rules/ that does not validate fails the build with the loaders' one-line message.
 */
import { UserError } from '../errors.js';
import { loadKbSources, RULES_DIR } from './index.js';
import { writeSnapshot } from './snapshot.js';

try {
  await writeSnapshot(RULES_DIR, await loadKbSources(RULES_DIR));
} catch (err) {
  if (!(err instanceof UserError)) throw err;
  process.stderr.write(`knowledge-base snapshot: ${err.line()}\n`);
  process.exitCode = 2;
}
