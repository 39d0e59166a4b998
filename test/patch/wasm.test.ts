/** A bundled dist/ ships the two .wasm files next to itself: setWasmDir / VFIO_REVIEW_WASM_DIR. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFunctions, setWasmDir } from '../../src/patch/cparse.js';

test('wasm files from another folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vr-wasm-'));
  const req = createRequire(import.meta.url);
  try {
    setWasmDir(join(dir, 'missing'));
    await assert.rejects(parseFunctions('int f(void) { return 0; }\n'), /wasm file not found: .*missing/);
    copyFileSync(req.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(dir, 'web-tree-sitter.wasm'));
    copyFileSync(req.resolve('tree-sitter-c/tree-sitter-c.wasm'), join(dir, 'tree-sitter-c.wasm'));
    setWasmDir(dir);
    const fns = await parseFunctions('static int __init f(void)\n{\n\treturn g();\n}\n');
    assert.deepEqual(fns.map((f) => [f.name, f.calls]), [['f', ['g']]]);
  } finally {
    setWasmDir(undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
