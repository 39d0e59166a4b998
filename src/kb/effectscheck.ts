/**
 * `kb verify`: the effects of rules/kb/effects.yaml against a tree. For every function the
 * model runs: it is defined where the knowledge base says (and at the line it cites, when the
 * tree is the line's cited tree), it makes the calls and err_handler callbacks the effects
 * list, in that order (who calls what, what runs before reset_done), and each effect's cited
 * line holds the code that does it (who writes PCI_COMMAND, where state_saved changes).
 */
import type { TreeCode } from './treecode.js';
import { codeOnly } from './treecode.js';
import { callRegExp, wordRegExp } from '../regex.js';
import type { Effect, FunctionEffects } from './effects.js';
import type { KnowledgeBase } from './types.js';

export interface EffectsCheck {
  /** Functions checked / skipped because their file is not in the tree. */
  checked: number;
  absent: string[];
  /** Effect lines compared with the tree's text (only for a line whose cited lines the KB has). */
  lines: number;
  problems: string[];
}

/** What a cited line must show for each kind of effect. */
function lineToken(e: Effect): RegExp | undefined {
  const word = (w: string) => wordRegExp(w);
  if (e.call) return word(e.call);
  if (e.function) return word(e.function);
  if (e.callback) return new RegExp(`->\\s*${e.callback}\\s*\\(`);
  if (e.save) return /state_saved\s*=\s*true/;
  if (e.store) return /state_saved/;
  if (e.load) return /state_saved\s*=\s*false/;
  if (e.restore) return /state_saved|pci_restore_\w+\s*\(/;
  if (e.free) return /NULL|kfree/;
  if (e.mmio) return /__pci_write_msi_msg|pci_write_msg_msix|pci_msix_write_vector_ctrl/;
  if (e.command) return /PCI_COMMAND/;
  if (e.configWrite) return /pci_user_write_config|pci_write_config|vfio_default_config_write/;
  return undefined;
}

/** Lines a cited effect may have moved inside its function (an edited or patched tree). */
const WINDOW = 4;

/** `opts.lines: false` checks the calls and their order only, not the cited line numbers. */
export async function checkEffects(kb: KnowledgeBase, code: TreeCode, lineId: string, opts: { lines?: boolean } = {}): Promise<EffectsCheck> {
  const out: EffectsCheck = { checked: 0, absent: [], lines: 0, problems: [] };
  const effects = kb.effects;
  if (!effects) return out;
  const texts = new Map<string, string[] | undefined>();
  const textOf = async (file: string) => {
    if (!texts.has(file)) texts.set(file, (await code.tree.read(file))?.split('\n'));
    return texts.get(file);
  };
  for (const fx of effects.functions.values()) {
    const fns = await code.functionsOf(fx.file);
    if (!fns.length) {
      out.absent.push(fx.name);
      continue;
    }
    const fn = fns.find((f) => f.name === fx.name);
    if (!fn) {
      // static inline helpers and macros are not always in the cited file: only say so for calls
      if (fx.effects.some((e) => e.call || e.callback)) out.problems.push(`${fx.name}(): not defined in ${fx.file}`);
      else out.absent.push(fx.name);
      continue;
    }
    out.checked++;
    checkOrder(fx, codeOnly(fn.text), out.problems);
    const at = fx.at[lineId];
    if (at?.line === undefined || opts.lines === false) continue;
    // A tree edited or patched since the cited version moves whole functions: compare each
    // cited line at the function's offset, allowing a few lines of drift inside the body.
    const offset = fn.startLine - at.line;
    const lines = (await textOf(fx.file)) ?? [];
    const holds = (file: string, n: number, token: RegExp, text: string[]) => {
      const sameFile = file === fx.file;
      // a cited line inside this function stays inside it; one in a helper of the same file
      // (pci_clear_master() -> __pci_set_master()) moves with the file
      const inFn = sameFile && n >= at.line! && n <= at.line! + (fn.endLine - fn.startLine);
      for (let d = 0; d <= (sameFile ? WINDOW : 0); d++)
        for (const k of d ? [n + offset - d, n + offset + d] : [n + (sameFile ? offset : 0)]) {
          if (inFn && (k < fn.startLine || k > fn.endLine)) continue;
          if (text[k - 1] !== undefined && token.test(text[k - 1])) return true;
        }
      return false;
    };
    for (const e of fx.effects) {
      const n = e.lines?.[lineId];
      const token = lineToken(e);
      const file = e.file ?? fx.file;
      const text = file === fx.file ? lines : await textOf(file);
      if (n === undefined || !token || !text || text[n - 1] === undefined) continue;
      out.lines++;
      if (!holds(file, n, token, text))
        out.problems.push(`${fx.name}(): ${file}:${n + (file === fx.file ? offset : 0)} should hold ${describe(e)}, but reads: ${(text[n - 1 + (file === fx.file ? offset : 0)] ?? '').trim()}`);
    }
    for (const e of fx.effects) {
      const n = e.clearLines?.[lineId];
      if (n === undefined || lines[n - 1] === undefined) continue;
      out.lines++;
      if (!holds(fx.file, n, /state_saved\s*=\s*false/, lines))
        out.problems.push(`${fx.name}(): ${fx.file}:${n + offset} should clear state_saved, but reads: ${(lines[n - 1 + offset] ?? '').trim()}`);
    }
    for (const [id, n] of Object.entries(fx.effects.find((e) => e.stepLines)?.stepLines?.[lineId] ?? {})) {
      const step = kb.steps.get(id);
      if (!step || lines[n - 1] === undefined) continue;
      out.lines++;
      if (!holds(fx.file, n, callRegExp(step.function), lines))
        out.problems.push(`${fx.name}(): ${fx.file}:${n + offset} should call ${step.function}() (step '${id}'), but reads: ${(lines[n - 1 + offset] ?? '').trim()}`);
    }
  }
  return out;
}

function describe(e: Effect): string {
  if (e.call) return `the call to ${e.call}()`;
  if (e.callback) return `the err_handler->${e.callback}() call`;
  return e.what ? `the code that does: ${e.what}` : 'the code of this effect';
}

/** The calls and callbacks of the effects appear in the body in the order the effects list them. */
function checkOrder(fx: FunctionEffects, body: string, problems: string[]): void {
  let from = body.indexOf('{');
  for (const e of fx.effects) {
    const re = e.call
      ? callRegExp(e.call, 'g')
      : e.callback
        ? e.function
          ? wordRegExp(e.function, 'g')
          : new RegExp(`->\\s*${e.callback}\\s*\\(`, 'g')
        : undefined;
    if (!re) continue;
    re.lastIndex = Math.max(0, from);
    const m = re.exec(body);
    if (!m) {
      const anywhere = new RegExp(re.source).test(body);
      problems.push(
        anywhere
          ? `${fx.name}(): calls ${e.call ? `${e.call}()` : `->${e.callback}()`} earlier than the knowledge base's order (${order(fx)})`
          : `${fx.name}(): does not call ${e.call ? `${e.call}()` : `->${e.callback}()`} (the knowledge base's order: ${order(fx)})`,
      );
      continue;
    }
    from = m.index + m[0].length;
  }
}

function order(fx: FunctionEffects): string {
  return fx.effects
    .map((e) => (e.call ? `${e.call}()` : e.callback ? `->${e.callback}()` : undefined))
    .filter(Boolean)
    .join(', ');
}
