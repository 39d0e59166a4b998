import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFunctions, analyzeC } from '../../src/patch/cparse.js';
import { blankAnnotations } from '../../src/patch/blank.js';
import { TREE_612 } from '../support/kernels.js';

const ANNOTATED = `static int __init vfio_pci_init(void)
{
	return pci_register_driver(&drv);
}
module_init(vfio_pci_init);

static void __exit vfio_pci_cleanup(void)
{
	pci_unregister_driver(&drv);
}

int __must_check foo_get(struct foo __rcu *p, void __user *arg)
{
	struct bar *b __free(kfree) = kzalloc(sizeof(*b), GFP_KERNEL);

	guard(mutex)(&foo_lock);
	scoped_guard(spinlock_irqsave, &foo_spin) {
		foo_touch(p);
	}
	list_for_each_entry(b, &foo_list, node) {
		bar_touch(b);
	}
	return copy_to_user(arg, b, sizeof(*b));
}
EXPORT_SYMBOL_GPL(foo_get);

static __always_inline noinline __maybe_unused __cold u32 fast_path(u32 x)
{
	return x + 1;
}

struct packed_thing {
	u32 a;
} __packed __aligned(8);

static void __attribute__((unused)) quiet(void) {}
`;

test('kernel annotations do not break names, boundaries or calls', async () => {
  const fns = await parseFunctions(ANNOTATED);
  assert.deepEqual(
    fns.map((f) => [f.name, f.startLine, f.endLine]),
    [
      ['vfio_pci_init', 1, 4],
      ['vfio_pci_cleanup', 7, 10],
      ['foo_get', 12, 24],
      ['fast_path', 27, 30],
      ['quiet', 36, 36],
    ],
  );
  const foo = fns[2];
  assert.deepEqual(foo.calls, ['kzalloc', 'guard', 'scoped_guard', 'foo_touch', 'list_for_each_entry', 'bar_touch', 'copy_to_user']);
  assert.deepEqual(foo.annotations, ['__must_check']);
  assert.deepEqual(fns[0].annotations, ['static', '__init']);
  assert.deepEqual(fns[3].annotations, ['static', '__always_inline', 'noinline', '__maybe_unused', '__cold']);
  assert.ok(foo.text.startsWith('int __must_check foo_get('), 'text is the original, not the blanked one');
});

test('blanking keeps length and line structure, not inside strings or comments', () => {
  const src = 'static int __init f(void) /* __init here */ { p("__init"); }\nstruct x __aligned(16);\n';
  const { text, blanked } = blankAnnotations(src);
  assert.equal(text.length, src.length);
  assert.equal(text.split('\n').length, src.split('\n').length);
  assert.deepEqual(blanked.map((b) => b.text), ['__init', '__aligned(16)']);
  assert.ok(text.includes('"__init"') && text.includes('/* __init here */'));
});

test('struct initialisers: field, value, struct type, variable', async () => {
  const facts = await analyzeC(`static const struct pci_error_handlers h = {
	.error_detected = a_err,
	.reset_done = a_reset_done,
	.name = "x",
};
static struct pci_driver d = { .driver = { .pm = &pm_ops }, .probe = p_probe };
`);
  assert.deepEqual(
    facts.initializers.map((p) => [p.field, p.value, p.structType, p.variable, p.line]),
    [
      ['error_detected', 'a_err', 'pci_error_handlers', 'h', 2],
      ['reset_done', 'a_reset_done', 'pci_error_handlers', 'h', 3],
      ['probe', 'p_probe', 'pci_driver', 'd', 6],
    ],
  );
});

/** Independent count: kernel style opens a function body with `{` alone in column 0. */
function braceCount(src: string): number {
  return src.split('\n').filter((l) => l === '{').length;
}

for (const file of ['drivers/vfio/pci/vfio_pci_core.c', 'drivers/pci/pci.c', 'drivers/vfio/pci/vfio_pci_config.c']) {
  test(`real file: every function of linux-6.12 ${file}`, async () => {
    const src = readFileSync(join(TREE_612, file), 'utf8');
    const fns = await parseFunctions(src);
    const oneLiners = fns.filter((f) => f.startLine === f.endLine).length; // `void f(void) {}`
    assert.equal(fns.length - oneLiners, braceCount(src));
    const lines = src.split('\n');
    for (const f of fns) {
      assert.match(f.name, /^[A-Za-z_]\w*$/);
      const end = lines[f.endLine - 1];
      assert.ok(f.startLine === f.endLine ? end.endsWith('}') : end.startsWith('}'), `${f.name} ends at a closing brace`);
    }
    const restore = fns.find((f) => f.name === 'pci_restore_state');
    if (file === 'drivers/pci/pci.c') {
      assert.ok(restore, 'pci_restore_state found');
      assert.equal(lines[restore.startLine - 1], 'void pci_restore_state(struct pci_dev *dev)');
      assert.ok(restore.calls.includes('pci_restore_config_space'));
    }
  });
}

test('annotations after the parameter list and on members', async () => {
  const src = `struct vfio_pci_thing {
	int n;
	u32 __iomem *regs;
	struct item items[] __counted_by(n);
};

static void lock_it(struct vfio_pci_thing *t) __acquires(&t->lock)
{
	spin_lock(&t->lock);
}

static void unlock_it(struct vfio_pci_thing *t) __releases(&t->lock)
{
	spin_unlock(&t->lock);
}

static __printf(2, 3) void say(struct vfio_pci_thing *t, const char *fmt, ...)
{
	vprintk(fmt, NULL);
}

static int read_it(struct vfio_pci_thing *t, void __user *buf)
{
	u32 v = readl((void __iomem *)t->regs);

	return copy_to_user(buf, &v, sizeof(v)) ? -EFAULT : 0;
}
`;
  const fns = await parseFunctions(src);
  assert.deepEqual(fns.map((f) => [f.name, f.startLine, f.endLine, f.calls]), [
    ['lock_it', 7, 10, ['spin_lock']],
    ['unlock_it', 12, 15, ['spin_unlock']],
    ['say', 17, 20, ['vprintk']],
    ['read_it', 22, 27, ['readl', 'copy_to_user']],
  ]);
  assert.deepEqual(fns[2].annotations, ['static', '__printf(2, 3)']);
});
