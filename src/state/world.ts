/** Build the interpreter's World for a target from the knowledge base and a code lookup. */
import type { TargetInfo } from '../model.js';
import type { KnowledgeBase, RestoreStep } from '../kb/types.js';
import type { Code, World } from './interp.js';

export function makeWorld(
  kb: KnowledgeBase,
  target: Pick<TargetInfo, 'line' | 'fixes'>,
  steps: RestoreStep[],
  gate: boolean,
  code: (name: string) => Code | undefined,
  callbacks: (role: string) => string[],
): World {
  if (!kb.effects) throw new Error('knowledge base without effects (rules/kb/effects.yaml)');
  // the driver's own callbacks (vfio_pci_core_pm_ops) unless the code in scope binds the role
  const defaults = kb.effects.lifecycle.callbacks ?? {};
  const bound = (role: string) => {
    const fns = callbacks(role);
    return fns.length ? fns : (defaults[role] ?? []);
  };
  return {
    effects: kb.effects,
    line: target.line,
    steps,
    saveSteps: new Set(kb.line(target.line)?.save ?? []),
    gate,
    fixes: target.fixes,
    code,
    callbacks: bound,
    msixWriters: () => '__pci_restore_msix_state',
    device: kb.effects.lifecycle.device ?? {},
  };
}
