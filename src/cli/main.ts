/**
 * vfio-review command line: dispatches to one module per command (src/cli/commands/*).
 * Each command module exports `run(argv): Promise<number>` and returns an exit code.
 */
import { EXIT, UserError } from '../errors.js';
import { VERSION } from '../version.js';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const COMMANDS: Record<string, Command> = {
  review: { summary: 'review patches and print notes', load: () => import('./commands/review.js') },
  parse: { summary: 'print the patch model (functions, calls, callbacks)', load: () => import('./commands/parse.js') },
  rules: { summary: 'list the risk rules', load: () => import('./commands/rules.js') },
  explain: { summary: "print one rule's documentation", load: () => import('./commands/explain.js') },
  kb: { summary: 'knowledge base: `kb table [--kernel V]`, `kb verify --tree DIR`', load: () => import('./commands/kb.js') },
  ingest: { summary: 'follow mailing-list archives and reply to vfio/pci patches', load: () => import('./commands/ingest.js') },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: vfio-review <command> [options]',
    '',
    'commands:',
    ...lines,
    '',
    '  help     this text; `help COMMAND` for the options of one command',
    '',
    'Run `vfio-review <command> --help` (or `help <command>`) for the options of one command.',
    'Exit codes: 0 nothing reached --fail-on, 1 findings reached --fail-on, 2 bad input or usage,',
    '3 an outside service failed, 70 internal error.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(usage() + '\n');
    return name ? EXIT.ok : EXIT.input;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`vfio-review ${VERSION}\n`);
    return EXIT.ok;
  }
  if (name === 'help') {
    // `help` and `help COMMAND`, as git and b4 have it.
    if (!rest[0]) {
      process.stdout.write(usage() + '\n');
      return EXIT.ok;
    }
    if (!COMMANDS[rest[0]]) {
      process.stderr.write(`vfio-review: unknown command '${rest[0]}'\n${usage()}\n`);
      return EXIT.input;
    }
    return (await COMMANDS[rest[0]].load()).run(['--help']);
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`vfio-review: unknown command '${name}'\n${usage()}\n`);
    return EXIT.input;
  }
  try {
    const mod = await command.load();
    return await mod.run(rest);
  } catch (err) {
    return reportError(err);
  }
}

/** One line for a user's mistake; a stack trace only for our own bugs. */
export function reportError(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`vfio-review: ${err.line()}\n`);
    return err.exitCode;
  }
  const e = err as { code?: string; message?: string; path?: string };
  if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR') && e.path) {
    process.stderr.write(`vfio-review: ${e.path}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}\n`);
    return EXIT.input;
  }
  process.stderr.write(`vfio-review: internal error (please report it): ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT.internal;
}
