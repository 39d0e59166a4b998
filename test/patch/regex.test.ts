/** Names from patches never become regex syntax (src/regex.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { callRegExp, wordRegExp } from '../../src/regex.js';

test('a call or word pattern matches the name literally', () => {
  assert.ok(callRegExp('pci_restore_state').test('\tpci_restore_state (pdev);'));
  assert.ok(!callRegExp('pci_restore_state').test('\tpci_restore_states(pdev);'));
  // metacharacters in a name are text, not syntax (and do not throw)
  assert.ok(callRegExp('a$b(c').test('a$b(c(x)'));
  assert.ok(!callRegExp('a.c').test('abc('));
  assert.ok(wordRegExp('x+y').test('x+y = 1'));
});
