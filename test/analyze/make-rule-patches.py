#!/usr/bin/env python3
"""Rebuild the rule-test patches in rules/<area>/<name>/*.patch.

Each case edits real kernel files from Debian's linux-source-6.12 / 6.1 (extracted by
.ci/kernels.sh under $VFIO_REVIEW_KERNELS, default /tmp/vfio-review-kernels) in a scratch git
repository and writes the commit with `git format-patch`, the way kernel developers make them.
Usage: python3 test/analyze/make-rule-patches.py   (from the project root)
"""
import os, re, shutil, subprocess, sys, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
KERNELS = os.environ.get('VFIO_REVIEW_KERNELS', '/tmp/vfio-review-kernels')
K612 = os.path.join(KERNELS, 'linux-6.12')
K61 = os.path.join(KERNELS, 'linux-6.1')
FILES = ['drivers/vfio/pci/vfio_pci_core.c', 'drivers/pci/pci.c', 'drivers/pci/msi/msi.c', 'drivers/pci/pci-driver.c']
ENV = dict(os.environ, GIT_AUTHOR_NAME='Test Author', GIT_AUTHOR_EMAIL='test@example.org',
           GIT_COMMITTER_NAME='Test Author', GIT_COMMITTER_EMAIL='test@example.org',
           GIT_AUTHOR_DATE='2026-06-10T12:00:00+00:00', GIT_COMMITTER_DATE='2026-06-10T12:00:00+00:00')


def git(repo, *args):
    return subprocess.run(['git', '-C', repo, *args], check=True, env=ENV, capture_output=True, text=True).stdout


def base_repo(kernel, prepare=None):
    repo = tempfile.mkdtemp(prefix='vfio-review-rules-')
    git(repo, 'init', '-q')
    for f in FILES:
        os.makedirs(os.path.join(repo, os.path.dirname(f)), exist_ok=True)
        shutil.copy(os.path.join(kernel, f), os.path.join(repo, f))
    if prepare:
        prepare(repo)
    git(repo, 'add', '.')
    git(repo, 'commit', '-qm', 'base')
    return repo


def edit(repo, path, old, new, count=1):
    p = os.path.join(repo, path)
    text = open(p).read()
    if text.count(old) < 1:
        sys.exit(f'{path}: text to replace not found:\n{old}')
    open(p, 'w').write(text.replace(old, new, count))


def case(out, subject, body, edits, kernel=K612, prepare=None):
    repo = base_repo(kernel, prepare)
    for e in edits:
        edit(repo, *e)
    git(repo, 'commit', '-qam', f'{subject}\n\n{body}\n\nSigned-off-by: Test Author <test@example.org>')
    patch = git(repo, 'format-patch', '-1', '--stdout', '--zero-commit')
    dest = os.path.join(ROOT, 'rules', out)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    open(dest, 'w').write(patch)
    shutil.rmtree(repo)
    print('wrote', out)


VC = 'drivers/vfio/pci/vfio_pci_core.c'
PCI = 'drivers/pci/pci.c'
MSI = 'drivers/pci/msi/msi.c'

ERR_DETECTED_END = '''	return PCI_ERS_RESULT_CAN_RECOVER;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_aer_err_detected);
'''
HANDLERS = '''	.error_detected = vfio_pci_core_aer_err_detected,
};'''

# --- snapshot/stale-restore -------------------------------------------------------------
case('snapshot/stale-restore/reset-done-helper.patch',
     'vfio/pci: Restore the open-time state after a reset',
     'Restore the config space saved at open through a helper from a reset_done\ncallback.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + '''
static void vfio_pci_core_restore_open_state(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;

	if (!vdev->pci_saved_state)
		return;

	if (pci_load_saved_state(pdev, vdev->pci_saved_state))
		return;
	pci_restore_state(pdev);
}

static void vfio_pci_core_aer_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_core_restore_open_state(vdev);
}
'''), (VC, HANDLERS, '''	.error_detected = vfio_pci_core_aer_err_detected,
	.reset_done = vfio_pci_core_aer_reset_done,
};''')])

case('snapshot/stale-restore/ioctl-reset-restore.patch',
     'vfio/pci: Write back the open-time state after VFIO_DEVICE_RESET',
     'Return the device to the state it had at open once the reset succeeded.',
     [(VC, '''	ret = pci_try_reset_function(vdev->pdev);
	up_write(&vdev->memory_lock);
''', '''	ret = pci_try_reset_function(vdev->pdev);
	if (!ret && vdev->pci_saved_state &&
	    !pci_load_saved_state(vdev->pdev, vdev->pci_saved_state))
		pci_restore_state(vdev->pdev);
	up_write(&vdev->memory_lock);
''')])

case('snapshot/stale-restore/close-path-load-checked.patch',
     'vfio/pci: Log the error when the open-time state cannot be reloaded',
     'Keep the return value of pci_load_and_free_saved_state() and print it.',
     [(VC, '''	if (pci_load_and_free_saved_state(pdev, &vdev->pci_saved_state)) {
		pci_info(pdev, "%s: Couldn't reload saved state\\n", __func__);
''', '''	ret = pci_load_and_free_saved_state(pdev, &vdev->pci_saved_state);
	if (ret) {
		pci_info(pdev, "%s: Couldn't reload saved state: %d\\n", __func__, ret);
'''), (VC, '''	struct pci_dev *bridge;
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_pci_dummy_resource *dummy_res, *tmp;
	struct vfio_pci_ioeventfd *ioeventfd, *ioeventfd_tmp;
	int i, bar;
''', '''	struct pci_dev *bridge;
	struct pci_dev *pdev = vdev->pdev;
	struct vfio_pci_dummy_resource *dummy_res, *tmp;
	struct vfio_pci_ioeventfd *ioeventfd, *ioeventfd_tmp;
	int i, bar, ret;
''')])

# --- snapshot/stale-tph ---------------------------------------------------------------------
TPH_FEATURE = '''
static int vfio_pci_core_feature_tph(struct vfio_pci_core_device *vdev, u32 flags)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	ret = vfio_check_feature(flags, sizeof(u32), VFIO_DEVICE_FEATURE_SET, 0);
	if (ret != 1)
		return ret;

	return pcie_enable_tph(pdev, PCI_TPH_ST_IV_MODE);
}
'''
case('snapshot/stale-tph/tph-enable-no-disable.patch',
     'vfio/pci: Let userspace enable TPH',
     'Add a device feature that enables TLP Processing Hints in interrupt vector\nmode.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + TPH_FEATURE)])

case('snapshot/stale-tph/tph-enable-with-reset-done.patch',
     'vfio/pci: Enable TPH and restore the open-time state after a reset',
     'Add a TPH device feature and a reset_done callback that writes back the\nstate saved at open.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + TPH_FEATURE + '''
static void vfio_pci_core_aer_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	if (!vdev->pci_saved_state)
		return;

	if (!pci_load_saved_state(pdev, vdev->pci_saved_state))
		pci_restore_state(pdev);
}
'''), (VC, HANDLERS, '''	.error_detected = vfio_pci_core_aer_err_detected,
	.reset_done = vfio_pci_core_aer_reset_done,
};''')])

case('snapshot/stale-tph/tph-enable-disable-on-close.patch',
     'vfio/pci: Let userspace enable TPH, disable it on close',
     'Add a device feature that enables TPH and turn TPH off in\nvfio_pci_core_disable() before the open-time state is written back.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + TPH_FEATURE),
      (VC, '''	/*
	 * If we have saved state, restore it.  If we can reset the device,''', '''	pcie_disable_tph(pdev);

	/*
	 * If we have saved state, restore it.  If we can reset the device,''')])

# --- msix/memory-bit ------------------------------------------------------------------------
def strip_msix_fix(repo):
    edit(repo, MSI, '''	u16 cmd;

	if (!dev->msix_enabled)''', '''
	if (!dev->msix_enabled)''')
    edit(repo, MSI, '''	/*
	 * The restored device state may not have Memory Space enabled.
	 * Since the MSI-X Table and PBA are in Memory Space, enable it
	 * while restoring them.
	 */
	pci_read_config_word(dev, PCI_COMMAND, &cmd);
	pci_write_config_word(dev, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY);

''', '')
    edit(repo, MSI, '''	msi_unlock_descs(&dev->dev);

	pci_write_config_word(dev, PCI_COMMAND, cmd);
	pci_msix_clear_and_set_ctrl''', '''	msi_unlock_descs(&dev->dev);

	pci_msix_clear_and_set_ctrl''')


case('msix/memory-bit/msix-decoding-fix.patch',
     'PCI/MSI: Enable memory decoding before restoring MSI-X messages',
     'The restored config space may have Memory Space disabled; the MSI-X table\nwrites then get Unsupported Request. Enable it around the table writes.\n\n(Pre-image: the 6.12.117 msi.c with the backported fix taken out.)',
     [(MSI, '''
	if (!dev->msix_enabled)
		return;

	/* route the table */''', '''	u16 cmd;

	if (!dev->msix_enabled)
		return;

	/* route the table */'''),
      (MSI, '''				PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

	write_msg = arch_restore_msi_irqs(dev);''', '''				PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);

	/*
	 * The restored device state may not have Memory Space enabled.
	 * Since the MSI-X Table and PBA are in Memory Space, enable it
	 * while restoring them.
	 */
	pci_read_config_word(dev, PCI_COMMAND, &cmd);
	pci_write_config_word(dev, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY);

	write_msg = arch_restore_msi_irqs(dev);'''),
      (MSI, '''	msi_unlock_descs(&dev->dev);

	pci_msix_clear_and_set_ctrl(dev, PCI_MSIX_FLAGS_MASKALL, 0);''', '''	msi_unlock_descs(&dev->dev);

	pci_write_config_word(dev, PCI_COMMAND, cmd);
	pci_msix_clear_and_set_ctrl(dev, PCI_MSIX_FLAGS_MASKALL, 0);''')],
     prepare=strip_msix_fix)

case('msix/memory-bit/msix-restore-vector-ctrl.patch',
     'PCI/MSI: Write Vector Control only with the message',
     'Skip the Vector Control write when the architecture restores the messages\nitself.',
     [(MSI, '''		if (write_msg)
			__pci_write_msi_msg(entry, &entry->msg);
		pci_msix_write_vector_ctrl(entry, entry->pci.msix_ctrl);''', '''		if (!write_msg)
			continue;
		__pci_write_msi_msg(entry, &entry->msg);
		pci_msix_write_vector_ctrl(entry, entry->pci.msix_ctrl);''')])

case('msix/memory-bit/msix-shutdown-comment.patch',
     'PCI/MSI: Explain the disconnected check in pci_msix_shutdown()',
     'Comment only.',
     [(MSI, '''	if (pci_dev_is_disconnected(dev)) {
		dev->msix_enabled = 0;''', '''	/* A disconnected device cannot be written: forget MSI-X only. */
	if (pci_dev_is_disconnected(dev)) {
		dev->msix_enabled = 0;''')])

# --- kb/unknown-restore-step ------------------------------------------------------------
case('kb/unknown-restore-step/new-step.patch',
     'PCI: Restore the Foo capability',
     'Save the Foo extended capability control register and write it back on\nrestore.',
     [(PCI, '''static void pci_restore_config_space_range(struct pci_dev *pdev,''', '''static void pci_restore_foo_state(struct pci_dev *dev)
{
	struct pci_cap_saved_state *save_state;
	int foo = pci_find_ext_capability(dev, PCI_EXT_CAP_ID_FOO);

	save_state = pci_find_saved_ext_cap(dev, PCI_EXT_CAP_ID_FOO);
	if (!foo || !save_state)
		return;

	pci_write_config_dword(dev, foo + PCI_FOO_CTRL, save_state->cap.data[0]);
}

static void pci_restore_config_space_range(struct pci_dev *pdev,'''),
      (PCI, '''	pci_restore_ptm_state(dev);

	pci_aer_clear_status(dev);''', '''	pci_restore_ptm_state(dev);
	pci_restore_foo_state(dev);

	pci_aer_clear_status(dev);''')])

case('kb/unknown-restore-step/reorder-ptm.patch',
     'PCI: Restore PTM after the config header',
     'Move the PTM restore after pci_restore_config_space().',
     [(PCI, '''	pci_restore_dpc_state(dev);
	pci_restore_ptm_state(dev);
''', '''	pci_restore_dpc_state(dev);
'''), (PCI, '''	pci_restore_config_space(dev);

	pci_restore_pcix_state(dev);''', '''	pci_restore_config_space(dev);
	pci_restore_ptm_state(dev);

	pci_restore_pcix_state(dev);''')])

case('kb/unknown-restore-step/restore-debug-message.patch',
     'PCI: Log config restores',
     'A debug message at the start of pci_restore_state().',
     [(PCI, '''void pci_restore_state(struct pci_dev *dev)
{
''', '''void pci_restore_state(struct pci_dev *dev)
{
	pci_dbg(dev, "restoring config space\\n");
''')])

# --- snapshot/state-saved-assumption -------------------------------------------------------
case('snapshot/state-saved-assumption/skip-restore-unless-saved.patch',
     'vfio/pci: Do not restore on close when nothing was saved',
     'Skip the restore when no state was saved.',
     [(VC, '''out_restore_state:
	pci_restore_state(pdev);''', '''out_restore_state:
	if (pdev->state_saved)
		pci_restore_state(pdev);''')])

case('snapshot/state-saved-assumption/discard-then-restore.patch',
     'vfio/pci: Drop the core copy of the state when nothing was saved at open',
     'When the open-time state is missing, discard the core copy so that the\nclose-time restore has nothing to write.',
     [(VC, '''	if (pci_load_and_free_saved_state(pdev, &vdev->pci_saved_state)) {''', '''	if (!vdev->pci_saved_state) {
		pci_load_saved_state(pdev, NULL);
		pci_restore_state(pdev);
	} else if (pci_load_and_free_saved_state(pdev, &vdev->pci_saved_state)) {''')])

case('snapshot/state-saved-assumption/remove-gate-a2f1e22390ac.patch',
     'PCI/ERR: Ensure error recoverability at all times',
     'Drop the state_saved check from pci_restore_state() (the shape of\na2f1e22390ac, on the 6.1 file).',
     [(PCI, '''void pci_restore_state(struct pci_dev *dev)
{
	if (!dev->state_saved)
		return;

''', '''void pci_restore_state(struct pci_dev *dev)
{
''')], kernel=K61)

# --- reset/raw-reset-unrestored ----------------------------------------------------------
case('reset/raw-reset-unrestored/ioctl-raw-reset.patch',
     'vfio/pci: Use the locked reset in VFIO_DEVICE_RESET',
     'Take the device lock ourselves and reset with __pci_reset_function_locked().',
     [(VC, '''	ret = pci_try_reset_function(vdev->pdev);
	up_write(&vdev->memory_lock);
''', '''	if (pci_dev_trylock(vdev->pdev)) {
		ret = __pci_reset_function_locked(vdev->pdev);
		pci_dev_unlock(vdev->pdev);
	} else {
		ret = -EAGAIN;
	}
	up_write(&vdev->memory_lock);
''')])

case('reset/raw-reset-unrestored/close-raw-reset-ret.patch',
     'vfio/pci: Log a failed reset on close',
     'Keep the result of the locked reset in vfio_pci_core_disable().',
     [(VC, '''		if (pci_dev_trylock(pdev)) {
			if (!__pci_reset_function_locked(pdev))
				vdev->needs_reset = false;
			pci_dev_unlock(pdev);''', '''		if (pci_dev_trylock(pdev)) {
			int ret = __pci_reset_function_locked(pdev);

			if (!ret)
				vdev->needs_reset = false;
			else
				pci_dbg(pdev, "reset on close failed: %d\\n", ret);
			pci_dev_unlock(pdev);''')])

# --- engine tests (test/analyze/patches/): reachability through the --tree call graph ------
def engine_case(out, *args, **kw):
    case(os.path.join('..', 'test', 'analyze', 'patches', out), *args, **kw)

engine_case('reset-done-power-state.patch',
     'vfio/pci: Bring the device back to D0 after a reset',
     'Reuse vfio_pci_set_power_state() from a reset_done callback.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + '''
static void vfio_pci_core_aer_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	vfio_pci_set_power_state(vdev, PCI_D0);
}
'''), (VC, HANDLERS, '''	.error_detected = vfio_pci_core_aer_err_detected,
	.reset_done = vfio_pci_core_aer_reset_done,
};''')])


def series_case(outdir, parts, kernel=K612):
    """A series: each part is (subject, body, edits); writes 000N-*.patch with format-patch."""
    repo = base_repo(kernel)
    for subject, body, edits in parts:
        for e in edits:
            edit(repo, *e)
        git(repo, 'commit', '-qam', f'{subject}\n\n{body}\n\nSigned-off-by: Test Author <test@example.org>')
    dest = os.path.join(ROOT, 'rules', outdir)
    os.makedirs(dest, exist_ok=True)
    for name in os.listdir(dest):
        if name.endswith('.patch'):
            os.remove(os.path.join(dest, name))
    git(repo, 'format-patch', '-q', f'-{len(parts)}', '--zero-commit', '--numbered', '-o', dest)
    shutil.rmtree(repo)
    print('wrote', outdir)


series_case('snapshot/stale-restore/series-wire-later', [
    ('vfio/pci: Add a helper that restores the open-time state',
     'Not used yet.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + '''
static void vfio_pci_core_aer_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	if (vdev->pci_saved_state &&
	    !pci_load_saved_state(pdev, vdev->pci_saved_state))
		pci_restore_state(pdev);
}
''')]),
    ('vfio/pci: Wire up the reset_done callback',
     'Use the helper of the previous patch after every reset.',
     [(VC, HANDLERS, '''	.error_detected = vfio_pci_core_aer_err_detected,
	.reset_done = vfio_pci_core_aer_reset_done,
};''')]),
])

case('msix/memory-bit/reset-done-memory-before-restore.patch',
     'vfio/pci: Restore the open-time state after a reset, with decoding on',
     'Turn Memory Space on before writing back the open-time state so that the\nMSI-X table can be restored.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + '''
static void vfio_pci_core_aer_reset_done(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);
	u16 cmd;

	if (!vdev->pci_saved_state)
		return;

	pci_read_config_word(pdev, PCI_COMMAND, &cmd);
	pci_write_config_word(pdev, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY);
	if (!pci_load_saved_state(pdev, vdev->pci_saved_state))
		pci_restore_state(pdev);
}
'''), (VC, HANDLERS, '''	.error_detected = vfio_pci_core_aer_err_detected,
	.reset_done = vfio_pci_core_aer_reset_done,
};''')])


# --- cases that make every message key of every rule appear in some test -------------------
PCI_DRIVER = 'drivers/pci/pci-driver.c'

# kb/unknown-restore-step: `removed` and `save`
case('kb/unknown-restore-step/save-drop-ptm.patch',
     'PCI/PTM: Save the PTM state only from the PTM code',
     'pci_ptm_init() already saves the PTM control register, so stop saving it\nagain in pci_save_state().',
     [(PCI, """	pci_save_aer_state(dev);
	pci_save_ptm_state(dev);
	return pci_save_vc_state(dev);""", """	pci_save_aer_state(dev);
	return pci_save_vc_state(dev);""")])

# snapshot/stale-restore: `slotReset`
case('snapshot/stale-restore/slot-reset-restore.patch',
     'vfio/pci: Restore the open-time state after AER slot reset',
     'The core does not restore config space after an error-recovery reset:\nwrite back the state saved at open from a slot_reset callback.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + """
static pci_ers_result_t vfio_pci_core_aer_slot_reset(struct pci_dev *pdev)
{
	struct vfio_pci_core_device *vdev = dev_get_drvdata(&pdev->dev);

	if (!vdev->pci_saved_state ||
	    pci_load_saved_state(pdev, vdev->pci_saved_state))
		return PCI_ERS_RESULT_DISCONNECT;

	pci_restore_state(pdev);
	return PCI_ERS_RESULT_RECOVERED;
}
"""), (VC, HANDLERS, """	.error_detected = vfio_pci_core_aer_err_detected,
	.slot_reset = vfio_pci_core_aer_slot_reset,
};""")])

# snapshot/stale-restore: `unknownCaller` and `ownSnapshot`
case('snapshot/stale-restore/rollback-helper.patch',
     'vfio/pci: Add a helper to roll a device back to its open-time state',
     'Variant drivers want to undo what a guest configured without closing the\ndevice. Keep the current state in vdev->pm_save so that it can be\nreapplied later, then write back the state saved at open.',
     [(VC, ERR_DETECTED_END, ERR_DETECTED_END + """
int vfio_pci_core_rollback_state(struct vfio_pci_core_device *vdev)
{
	struct pci_dev *pdev = vdev->pdev;
	int ret;

	pci_save_state(pdev);
	kfree(vdev->pm_save);
	vdev->pm_save = pci_store_saved_state(pdev);

	ret = pci_load_saved_state(pdev, vdev->pci_saved_state);
	if (ret)
		return ret;

	pci_restore_state(pdev);
	return 0;
}
EXPORT_SYMBOL_GPL(vfio_pci_core_rollback_state);
""")])

# snapshot/state-saved-assumption: `sets`
case('snapshot/state-saved-assumption/reset-ioctl-force-restore.patch',
     'vfio/pci: Restore the saved state after VFIO_DEVICE_RESET',
     'pci_restore_state() only writes back a state that is marked saved, so mark\nit before restoring after the reset.',
     [(VC, """	ret = pci_try_reset_function(vdev->pdev);
	up_write(&vdev->memory_lock);
""", """	ret = pci_try_reset_function(vdev->pdev);
	if (!ret) {
		vdev->pdev->state_saved = true;
		pci_restore_state(vdev->pdev);
	}
	up_write(&vdev->memory_lock);
""")])

# snapshot/state-saved-assumption: `core` (and `reads`)
case('snapshot/state-saved-assumption/pm-skip-disconnected.patch',
     'PCI/PM: Do not save the state of a disconnected device on suspend',
     'Config reads of a device that is gone return ~0; saving them only makes the\nresume restore garbage.',
     [(PCI_DRIVER, """	if (!pci_dev->state_saved) {
		pci_save_state(pci_dev);

		/*
		 * If the device is a bridge with a child in D0 below it,""", """	if (!pci_dev->state_saved && !pci_dev_is_disconnected(pci_dev)) {
		pci_save_state(pci_dev);

		/*
		 * If the device is a bridge with a child in D0 below it,""")])

