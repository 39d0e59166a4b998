/** Escaping (what we post on GitHub) and wrapping (what we mail): the shared helpers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ZWJ, codeBlock, escapeHtml, escapeMarkdown, escapeMarkdownLine, inlineCode, neutralizeMentions, plainText, safeLink } from '../../src/report/escape.js';
import { wrapParagraph, wrapText } from '../../src/report/wrap.js';

test('escape: @mentions and #refs cannot notify or link', () => {
  const out = neutralizeMentions('ping @octocat and @org/team, fixes #123, see GH-45 and owner/repo#6; mail a@b.org');
  assert.ok(!/@[A-Za-z0-9]/.test(out), out);
  assert.ok(!/#\d/.test(out), out);
  assert.ok(!/GH-\d/.test(out), out);
  // Invisible: removing the joiners gives the text back.
  assert.equal(out.replaceAll(ZWJ, ''), 'ping @octocat and @org/team, fixes #123, see GH-45 and owner/repo#6; mail a@b.org');
});

test('escape: markdown and HTML from a patch render as text', () => {
  const evil = '<img src=x onerror=alert(1)> **bold** [x](javascript:alert(1)) `code` <!-- vfio-review:v1 fp=x --> a|b ~~s~~ ![i](u)';
  const out = escapeMarkdown(evil);
  assert.ok(!out.includes('<'), 'no raw <');
  assert.ok(!out.includes('>'), 'no raw >');
  assert.ok(!/(^|[^\\])\*\*/.test(out), 'no live **');
  assert.ok(!/(^|[^\\])\[/.test(out), 'no live [');
  assert.ok(!/(^|[^\\])`/.test(out), 'no live backtick');
  assert.ok(!/(^|[^\\])\|/.test(out), 'no live |');
  assert.ok(out.includes('&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(out.includes('&lt;\\!-- vfio-review:v1 fp=x --&gt;'));
});

test('escape: block starters at line starts are escaped, mid-line text is left readable', () => {
  assert.equal(escapeMarkdown('# head\n- item\n+ item\n1. one\n> quote\n= setext'), '\\# head\n\\- item\n\\+ item\n1\\. one\n&gt; quote\n\\= setext');
  assert.equal(escapeMarkdown('6.19+ is the target'), '6.19+ is the target');
  assert.equal(escapeMarkdownLine('two\nlines'), 'two lines');
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('escape: code spans and blocks use a fence longer than any backtick run', () => {
  assert.equal(inlineCode('pci_restore_state'), '`pci_restore_state`');
  assert.equal(inlineCode('a`b'), '``a`b``');
  assert.equal(inlineCode('```x'), '```` ```x ````');
  assert.equal(inlineCode('two\nlines'), '`two lines`');
  const block = codeBlock('s = "```"; // ````', 'c');
  assert.ok(block.startsWith('`````c\n') && block.endsWith('\n`````'), block);
});

test('escape: code cannot forge our hidden marker', () => {
  const code = inlineCode('x <!-- vfio-review:v1 fp=forged --> y');
  assert.ok(!code.includes('<!--') && !code.includes('-->'), code);
  assert.equal(code.replaceAll(ZWJ, ''), '`x <!-- vfio-review:v1 fp=forged --> y`');
  assert.ok(!codeBlock('<!-- a -->').includes('<!--'));
});

test('escape: only http(s) links are links', () => {
  assert.equal(safeLink('lore', 'https://lore.kernel.org/r/x%40y'), '[lore](https://lore.kernel.org/r/x%40y)');
  assert.equal(safeLink('x', 'javascript:alert(1)'), 'x');
  assert.equal(safeLink('x', 'https://a/b) [y](z'), 'x');
  assert.equal(safeLink('t [x]', undefined), 't \\[x\\]');
});

test('wrap: greedy at the width, long words kept whole', () => {
  assert.deepEqual(wrapParagraph('aaa bbb ccc ddd', 7), ['aaa bbb', 'ccc ddd']);
  const url = 'https://lore.kernel.org/r/' + 'x'.repeat(80);
  assert.deepEqual(wrapParagraph(`see ${url} now`, 72), ['see', url, 'now']);
});

test('wrap: paragraphs, list items with hanging indent, verbatim code lines', () => {
  const text = 'one two three four\n\n- item one two three\n- item four\n\n\tcode line that is long and must stay\nafter';
  assert.equal(
    wrapText(text, 12),
    'one two\nthree four\n\n- item one\n  two three\n- item four\n\n\tcode line that is long and must stay\nafter',
  );
  for (const l of wrapText('word '.repeat(100), 72).split('\n')) assert.ok(l.length <= 72);
});

test('plain text: terminal escapes and carriage returns from a patch are neutralised', () => {
  assert.equal(plainText('a\u001b[31mred\r\nb\tc\fd\u0007'), 'a\uFFFD[31mred\uFFFD\nb\tc\fd\uFFFD');
});
