import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../src/errors.js';
import { loadKbFiles } from '../../src/kb/load.js';
import { copyKb, edit } from './helpers.js';

/** Load a broken copy and return the one-line error the user would see. */
async function errorOf(rulesDir: string): Promise<string> {
  try {
    await loadKbFiles(rulesDir);
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    return err.line();
  }
  assert.fail('the broken file loaded without error');
}

test('the shipped files load', async () => {
  const files = await loadKbFiles(await copyKb());
  assert.ok(files.steps.length >= 19);
});

test('a bad enum names the file, the step and the field', async () => {
  const dir = await copyKb();
  await edit(dir, 'restore-steps.yaml', /(- id: tph\n(?:.*\n)*?    source:) snapshot/, '$1 cached');
  assert.match(
    await errorOf(dir),
    /\/kb\/restore-steps\.yaml: step 'tph', field 'source': must be one of snapshot, live, clears-hw$/,
  );
});

test('a missing field names the entry', async () => {
  const dir = await copyKb();
  await edit(dir, 'restore-steps.yaml', '    summary: PTM control from the PTM save buffer\n', '');
  assert.match(await errorOf(dir), /restore-steps\.yaml: step 'ptm', field 'summary': is required$/);
});

test('an unknown field and a wrong type are reported with their path', async () => {
  const dir = await copyKb();
  await edit(dir, 'kernels.yaml', "    stateSavedGate: false\n", "    stateSavedGate: 'no'\n");
  assert.match(await errorOf(dir), /kernels\.yaml: line '6\.19\+', field 'stateSavedGate': must be a boolean$/);
  const dir2 = await copyKb();
  await edit(dir2, 'fixes.yaml', '    short: TPH\n', '    short: TPH\n    colour: blue\n');
  assert.match(await errorOf(dir2), /fixes\.yaml: fix 'tph', field 'colour': is not a known field$/);
});

test('a citation without `at` is caught inside a function entry', async () => {
  const dir = await copyKb();
  await edit(dir, 'functions.yaml', "      - { file: drivers/pci/pci.c, function: pci_load_and_free_saved_state, at: *deb612 }", '      - { file: drivers/pci/pci.c }');
  assert.match(await errorOf(dir), /functions\.yaml: function 'pci_load_and_free_saved_state', field 'citations\[0\]\.at': is required$/);
});

test('a line naming an unknown step fails the cross-check', async () => {
  const dir = await copyKb();
  await edit(dir, 'kernels.yaml', 'restore: [ltr, pcie,', 'restore: [ltr, pcie-cap,');
  assert.match(await errorOf(dir), /kernels\.yaml: line '6\.1': field 'restore\.1' names unknown step 'pcie-cap'$/);
});

test('a save list naming a step without saveFunction fails', async () => {
  const dir = await copyKb();
  await edit(dir, 'kernels.yaml', 'save: [pcie, pcix, ltr,', 'save: [pcie, pcix, ats,');
  assert.match(await errorOf(dir), /line '6\.1': field 'save' names step 'ats', which has no saveFunction$/);
});

test('a fix naming an unknown line, and a duplicate step id, fail', async () => {
  const dir = await copyKb();
  await edit(dir, 'fixes.yaml', "inLines: ['6.19+']", "inLines: ['6.20']");
  assert.match(await errorOf(dir), /fixes\.yaml: fix 'a2f1e22390ac': field 'inLines' names unknown line '6\.20'$/);
  const dir2 = await copyKb();
  await edit(dir2, 'restore-steps.yaml', '  - id: pri\n', '  - id: pasid\n');
  assert.match(await errorOf(dir2), /restore-steps\.yaml: step 'pasid' is defined twice$/);
});

test('a YAML syntax error gives the line; a missing file is named', async () => {
  const dir = await copyKb();
  await writeFile(join(dir, 'kb', 'vfio-paths.yaml'), 'paths:\n  - id: [unclosed\n');
  assert.match(await errorOf(dir), /vfio-paths\.yaml: YAML syntax error at line \d+/);
  const dir2 = await copyKb();
  await writeFile(join(dir2, 'kb', 'fixes.yaml'), '');
  assert.match(await errorOf(dir2), /fixes\.yaml: the file must be an object$/);
});
