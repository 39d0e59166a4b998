/**
 * The device-state model on scenarios given as data (test/state/scenarios.yaml): each runs the
 * named lifecycle events through the interpreter with the real knowledge base and compares the
 * trace and the final state.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { loadKnowledgeBase } from '../../src/kb/index.js';
import { expandSteps } from '../../src/analyze/scope.js';
import { initialState, type AbsValue, type DeviceState } from '../../src/state/model.js';
import { runEvent, type LifecycleEvent } from '../../src/state/explore.js';
import { sitesOf } from '../../src/state/sites.js';
import { makeWorld } from '../../src/state/world.js';
import type { Code, PropertyId } from '../../src/state/interp.js';
import type { TraceStep } from '../../src/model.js';

interface Scenario {
  name: string;
  line: string;
  fixes?: Record<string, boolean>;
  body?: Record<string, string>;
  callbacks?: Record<string, string[]>;
  /** Live flags of the device before open, over lifecycle.device (needs_pm_restore: NoSoftRst-). */
  device?: Record<string, AbsValue>;
  user?: string[];
  events: string[];
  expect?: Record<string, string | null>;
  trace?: { function: string; line?: number; effect: string }[];
  /** Steps the trace must not hold (function, effect regex). */
  absent?: { function: string; effect: string }[];
  violations?: PropertyId[];
}

const kb = await loadKnowledgeBase();
const data = parse(await readFile(new URL('./scenarios.yaml', import.meta.url), 'utf8')) as { scenarios: Scenario[] };

function valueAt(s: DeviceState, path: string): string | null | undefined {
  const [place, ...rest] = path.split('.');
  const key = rest.join('.');
  if (place === 'hw') return s.hw[key]?.v;
  if (place === 'live') return s.live[key]?.v;
  if (place === 'stored') return !(key in s.stored) ? 'never stored' : s.stored[key] === null ? null : s.stored[key]?.label;
  throw new Error(`bad path ${path}`);
}

for (const sc of data.scenarios) {
  test(`state model ${sc.line}: ${sc.name}`, () => {
    const fixes = sc.fixes ?? {};
    const code = (name: string): Code | undefined => {
      const text = sc.body?.[name];
      if (!text) return undefined;
      const lines = text.split('\n').map((t, i) => ({ line: i + 1, text: t }));
      return { sites: sitesOf(lines, name), file: 'patch.c', origin: 'patch', complete: true };
    };
    const line = kb.line(sc.line)!;
    const base = makeWorld(kb, { line: sc.line, fixes }, expandSteps(kb, sc.line), fixes.a2f1e22390ac === true ? false : line.stateSavedGate, code, (r) => sc.callbacks?.[r] ?? []);
    const world = { ...base, device: { ...base.device, ...sc.device } };
    const lc = kb.effects!.lifecycle;
    const events = new Map<string, LifecycleEvent>([
      ['open', lc.open],
      ['close', lc.close],
      ...lc.user.map((u) => [u.event, u] as [string, LifecycleEvent]),
      ...(sc.user ?? []).map((u) => [`user: ${u}()`, { event: `user: ${u}()`, call: u }] as [string, LifecycleEvent]),
    ]);
    let node = { state: initialState(world.steps.map((s) => s.id), world.device), trace: [] as TraceStep[], depth: 0, events: 0, assumes: [] as string[], unknown: new Set<string>() };
    const found: PropertyId[] = [];
    for (const name of sc.events) {
      const ev = events.get(name);
      assert.ok(ev, `unknown event ${name}`);
      const r = runEvent(world, node, ev);
      node = r.node;
      for (const v of r.run.violations) if (!found.includes(v.property)) found.push(v.property);
    }
    const show = () => node.trace.map((t, i) => `${i + 1}. ${t.function}:${t.line ?? ''} ${t.effect}`).join('\n');
    let from = 0;
    for (const want of sc.trace ?? []) {
      const at = node.trace.findIndex((t, i) => i >= from && t.function === want.function && (want.line === undefined || t.line === want.line) && new RegExp(want.effect).test(t.effect));
      assert.ok(at >= 0, `trace lacks (after step ${from}) ${want.function}:${want.line ?? ''} /${want.effect}/\n${show()}`);
      from = at + 1;
    }
    for (const no of sc.absent ?? []) {
      const at = node.trace.findIndex((t) => t.function === no.function && new RegExp(no.effect).test(t.effect));
      assert.equal(at, -1, `trace holds ${no.function} /${no.effect}/ at step ${at + 1}\n${show()}`);
    }
    for (const [path, want] of Object.entries(sc.expect ?? {})) {
      const got = valueAt(node.state, path);
      if (path.startsWith('stored.') && typeof want === 'string') assert.ok(got?.includes(want), `${path}: ${got} lacks ${want}`);
      else assert.equal(got, want, `${path}\n${show()}`);
    }
    if (sc.violations) assert.deepEqual(found, sc.violations, show());
  });
}
