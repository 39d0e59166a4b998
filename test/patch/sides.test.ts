/** Fragment attribution details: hunk-header functions, labels, exports, initialisers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sectionFunction, unclosedBraces } from '../../src/patch/sides.js';
import { buildPatch } from '../../src/patch/index.js';
import { messageFromDiff } from './helpers.js';

test('sectionFunction: definitions only', () => {
  assert.equal(sectionFunction('pci_ers_result_t vfio_pci_core_aer_err_detected(struct pci_dev *pdev,'), 'vfio_pci_core_aer_err_detected');
  assert.equal(sectionFunction('static int __init vfio_pci_init(void)'), 'vfio_pci_init');
  assert.equal(sectionFunction('static struct pci_dev *pci_find(int x)'), 'pci_find');
  assert.equal(sectionFunction('static int pci_pf_stub_probe(struct pci_'), 'pci_pf_stub_probe');
  for (const s of ['EXPORT_SYMBOL_GPL(vfio_pci_core_sriov_configure);', 'out:', 'struct vfio_pci_core_device {',
    'static const struct pci_error_handlers h = {', 'module_init(vfio_pci_init);', '', '#define FOO(x) (x)', 'if (x) {']) {
    assert.equal(sectionFunction(s), undefined, s);
  }
});

test('sectionFunction: a name line (return type on the line before) names its function', () => {
  assert.equal(sectionFunction('vfio_pci_core_aer_err_detected(struct pci_dev *pdev,'), 'vfio_pci_core_aer_err_detected');
  assert.equal(sectionFunction('vfio_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)'), 'vfio_pci_probe');
  assert.equal(sectionFunction('*vfio_pci_find(int x)'), undefined, 'a pointer-return name line starts with *: not ours to guess');
  for (const s of ['DEFINE_SIMPLE_ATTRIBUTE(fops, get,', 'while (x) {', 'return foo(x,', 'foo(x);', 'sizeof(struct x)']) {
    assert.equal(sectionFunction(s), undefined, s);
  }
});

test('a fragment under a name-line header is attributed to that function', async () => {
  const m = await buildPatch(messageFromDiff(diff('vfio_pci_core_aer_err_detected(struct pci_dev *pdev,', [
    ' 	struct vfio_pci_core_device *vdev;',
    ' ',
    '-	rcu_read_lock();',
    '+	guard(rcu)();',
    ' 	vdev = dev_get_drvdata(&pdev->dev);',
  ])));
  assert.deepEqual(m.functions.map((f) => [f.name, f.change, f.addedCalls, f.removedCalls]), [
    ['vfio_pci_core_aer_err_detected', 'modified', ['guard'], ['rcu_read_lock']],
  ]);
});

function diff(section: string, lines: string[]): string {
  const old = lines.filter((l) => l[0] !== '+').length;
  const neu = lines.filter((l) => l[0] !== '-').length;
  return ['diff --git a/d/x.c b/d/x.c', '--- a/d/x.c', '+++ b/d/x.c', `@@ -10,${old} +10,${neu} @@ ${section}`, ...lines, ''].join('\n');
}

test('a hunk inside an initialiser: a callback, no function, struct from the header', async () => {
  const m = await buildPatch(messageFromDiff(diff('static const struct pci_error_handlers h = {', [
    '\t.error_detected = a_err_detected,',
    '+\t.reset_done = a_reset_done,',
    ' };',
    ' EXPORT_SYMBOL_GPL(h);',
  ].map((l) => (l[0] === '+' ? l : ' ' + l.replace(/^ /, ''))))));
  assert.deepEqual(m.functions, []);
  assert.deepEqual(m.callbacks.map((c) => [c.field, c.value, c.change, c.structType, c.variable, c.newLine]), [
    ['error_detected', 'a_err_detected', 'unchanged', 'pci_error_handlers', 'h', 10],
    ['reset_done', 'a_reset_done', 'added', 'pci_error_handlers', 'h', 11],
  ]);
});

test('a label in the header: the function is found from the export after its brace', async () => {
  const m = await buildPatch(messageFromDiff(diff('out_unlock:', [
    ' \tmutex_unlock(&x->lock);',
    '-\treturn 0;',
    '+\treturn foo_finish(x);',
    ' }',
    ' EXPORT_SYMBOL_GPL(foo_start);',
  ])));
  assert.deepEqual(m.functions.map((f) => [f.name, f.change, f.addedCalls, f.removedCalls, f.complete]), [
    ['foo_start', 'modified', ['foo_finish'], [], false],
  ]);
});

test('blank lines added between functions do not modify the header function', async () => {
  const m = await buildPatch(messageFromDiff(diff('static int foo(void)', [
    ' \treturn 0;',
    ' }',
    '+',
    ' static int bar(void)',
  ])));
  assert.deepEqual(m.functions, []);
});

test('a definition that starts inside a hunk named after the function above and runs past its end is that function (corpus 02)', async () => {
  const m = await buildPatch(messageFromDiff(diff('static void pci_restore_pcix_state(struct pci_dev *dev)', [
    ' int pci_save_state(struct pci_dev *dev)',
    ' {',
    ' 	int i;',
    '+	u32 val;',
    '+',
    '+	pci_read_config_dword(dev, PCI_COMMAND, &val);',
    '+	if (PCI_POSSIBLE_ERROR(val)) {',
    '+		pci_warn(dev, "inaccessible\\n");',
    '+		return -EIO;',
    '+	}',
    '+',
    ' 	/* XXX: 100% dword access ok here? */',
    ' 	for (i = 0; i < 16; i++) {',
    ' 		pci_read_config_dword(dev, i * 4, &dev->saved_config_space[i]);',
  ])));
  assert.deepEqual(m.functions.map((f) => [f.name, f.change, f.complete, f.newLine, f.addedLines]), [
    ['pci_save_state', 'modified', false, 10, [13, 14, 15, 16, 17, 18, 19, 20]],
  ]);
  // the text the fragment shows, without the braces added to parse it
  assert.match(m.functions[0].body ?? '', /saved_config_space\[i\]\);$/);
});

test('unclosedBraces: a `}` that closes something before the fragment is skipped; comments and strings do not count', () => {
  assert.equal(unclosedBraces(['\t}', '}', 'int f(void)', '{', '\tif (x) {', '\t\tg("{");', '\t\t/* { */']), 2);
  assert.equal(unclosedBraces(['\tx();', '}']), 0);
});
