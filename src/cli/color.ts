/**
 * `--color=auto|always|never` for the text report: the level words in checkpatch's colours
 * (ERROR red, WARNING yellow, CHECK green). Applied by the command after the report is
 * rendered, so the reports stay pure text (and escape sequences from a patch never pass:
 * escape.ts plainText replaces them before this adds ours).
 */
export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

/** auto: on a terminal, unless NO_COLOR is set (https://no-color.org). */
export function useColor(mode: ColorMode, out: { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (mode === 'always') return true;
  if (mode === 'never') return false;
  return Boolean(out.isTTY) && !env.NO_COLOR && env.TERM !== 'dumb';
}

const CODES: Record<string, string> = { ERROR: '31', WARNING: '33', CHECK: '32' };

/** Colour `LEVEL:` at the start of a line or a sub-point. */
export function colorize(text: string): string {
  return text.replace(/^( - )?(ERROR|WARNING|CHECK)(?=:)/gm, (_, sub: string | undefined, level: string) => `${sub ?? ''}\u001b[${CODES[level]}m${level}\u001b[0m`);
}
