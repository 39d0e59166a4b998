/**
 * List traffic for the ingestion tests, generated deterministically: the sample v18 series,
 * a v19 of it, and "unrelated traffic" as on a real list (patches for other subsystems,
 * series with cover letters, review replies, plain discussion), plus a mail that breaks the
 * parser (a MIME bomb with more parts than mailparser accepts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const SAMPLE_MBOX = `${ROOT}samples/vfio-pci-reset-done-v18.mbox`;
export const FIXTURES = `${ROOT}test/fixtures/lists`;

export const PATCH3_MSGID = '6526efa4ea8d82bd92c71d7a925dd898c11abf6b.1795476367.git.author@example.org';
export const V18_MSGIDS = [
  'cover.1795476367.git.author@example.org',
  '4a138e66f612a77edde63e6ab0a8deb6396278c3.1795476367.git.author@example.org',
  '09f0eb7dd449778caf62e147fc09e8888f87ddbc.1795476367.git.author@example.org',
  PATCH3_MSGID,
  'ebde4785e9d458beb91c558c67dd0d5f7ccf532f.1795476367.git.author@example.org',
];

/** The five mails of the sample series (cover, 1/4 .. 4/4), without postmark lines. */
export function sampleMails(): string[] {
  const text = readFileSync(SAMPLE_MBOX, 'utf8');
  return text
    .split(/^From [0-9a-f]{40} Mon Sep 17 00:00:00 2001\n/m)
    .filter((m) => m.trim())
    .map((m) => m.replace(/\n+$/, '\n'));
}

/** Join mails into an mboxrd (what lore serves, what the importer reads). */
export function mbox(mails: string[]): string {
  return mails
    .map((m) => 'From mboxrd@z Thu Jan  1 00:00:00 1970\n' + m.replace(/^(>*From )/gm, '>$1').replace(/\n*$/, '\n') + '\n')
    .join('');
}

function date(i: number): string {
  const d = new Date(Date.UTC(2026, 5, 1, 8, 0, 0) + i * 61_000);
  return d.toUTCString().replace('GMT', '+0000');
}

const SUBSYS = [
  ['net: stmmac', 'drivers/net/ethernet/stmicro/stmmac/stmmac_main.c', 'stmmac_open'],
  ['ext4', 'fs/ext4/inode.c', 'ext4_writepages'],
  ['drm/i915', 'drivers/gpu/drm/i915/i915_drv.c', 'i915_driver_probe'],
  ['KVM: x86', 'arch/x86/kvm/x86.c', 'kvm_arch_vcpu_ioctl_run'],
  ['usb: xhci', 'drivers/usb/host/xhci.c', 'xhci_run'],
  ['mm', 'mm/page_alloc.c', '__alloc_pages'],
] as const;

function patchMail(i: number, opts: { subject: string; file: string; fn: string; msgid: string; inReplyTo?: string }): string {
  return [
    `From: Dev ${i % 17} <dev${i % 17}@example.net>`,
    `To: list@lists.example.org`,
    `Subject: ${opts.subject}`,
    `Date: ${date(i)}`,
    `Message-ID: <${opts.msgid}>`,
    ...(opts.inReplyTo ? [`In-Reply-To: <${opts.inReplyTo}>`, `References: <${opts.inReplyTo}>`] : []),
    '',
    `Tidy ${opts.fn}() a little (change ${i}).`,
    '',
    `Signed-off-by: Dev ${i % 17} <dev${i % 17}@example.net>`,
    '---',
    ` ${opts.file} | 2 +-`,
    '',
    `diff --git a/${opts.file} b/${opts.file}`,
    'index 1111111..2222222 100644',
    `--- a/${opts.file}`,
    `+++ b/${opts.file}`,
    `@@ -${100 + i},3 +${100 + i},3 @@ static int ${opts.fn}(void)`,
    ' {',
    `-\tint ret = ${i};`,
    `+\tint ret = ${i + 1};`,
    ' \treturn ret;',
    '-- ',
    '2.39.5',
    '',
  ].join('\n');
}

/**
 * `count` mails of unrelated traffic, numbered from `start`: single patches for other
 * subsystems, 2-part series with a cover letter, replies quoting patches, announcements.
 */
export function noise(count: number, start = 0): string[] {
  const out: string[] = [];
  for (let i = start; out.length < count; i++) {
    const [sub, file, fn] = SUBSYS[i % SUBSYS.length];
    const kind = i % 5;
    if (kind === 0 || kind === 1) {
      out.push(patchMail(i, { subject: `[PATCH] ${sub}: tidy ${fn} (${i})`, file, fn, msgid: `noise-${i}@example.net` }));
    } else if (kind === 2 && out.length + 3 <= count) {
      const cover = `noise-${i}-0@example.net`;
      out.push(
        [
          `From: Dev ${i % 17} <dev${i % 17}@example.net>`,
          'To: list@lists.example.org',
          `Subject: [PATCH v2 0/2] ${sub}: two tidy-ups (${i})`,
          `Date: ${date(i)}`,
          `Message-ID: <${cover}>`,
          '',
          'Two small changes.',
          '',
        ].join('\n'),
      );
      for (const n of [1, 2]) {
        out.push(patchMail(i, { subject: `[PATCH v2 ${n}/2] ${sub}: tidy-up ${n} (${i})`, file, fn, msgid: `noise-${i}-${n}@example.net`, inReplyTo: cover }));
      }
    } else if (kind === 3) {
      out.push(
        [
          `From: Reviewer ${i % 7} <rev${i % 7}@example.com>`,
          'To: list@lists.example.org',
          `Subject: Re: [PATCH] ${sub}: tidy ${fn} (${i - 3})`,
          `Date: ${date(i)}`,
          `Message-ID: <noise-re-${i}@example.com>`,
          `In-Reply-To: <noise-${i - 3}@example.net>`,
          `References: <noise-${i - 3}@example.net>`,
          '',
          `On ${date(i - 3)}, Dev wrote:`,
          `> diff --git a/${file} b/${file}`,
          `> -\tint ret = ${i - 3};`,
          '',
          'Looks fine to me.',
          '',
        ].join('\n'),
      );
    } else {
      out.push(
        [
          `From: Someone ${i % 5} <someone${i % 5}@example.org>`,
          'To: list@lists.example.org',
          `Subject: [ANNOUNCE] meeting notes ${i}`,
          `Date: ${date(i)}`,
          `Message-ID: <noise-ann-${i}@example.org>`,
          '',
          'From the call today: nothing about PCI.',
          '',
        ].join('\n'),
      );
    }
  }
  return out.slice(0, count);
}

/** A mail the parser refuses (more MIME parts than it accepts); public-inbox stores it fine. */
export function brokenMail(id = 'broken-1@example.net'): string {
  const parts = Array.from({ length: 300 }, (_, i) => `--b\nContent-Type: text/plain\n\npart ${i}\n`).join('');
  return [
    'From: Broken <broken@example.net>',
    'To: list@lists.example.org',
    'Subject: [PATCH] PCI: a patch the mailer mangled',
    `Date: ${date(9999)}`,
    `Message-ID: <${id}>`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    parts + '--b--',
    '',
  ].join('\n');
}

/**
 * The same series as v19: new Message-IDs, one week later. `clean` replaces the body of
 * 3/4's reset_done callback with a comment-only change, so v18's notes are resolved.
 */
export function v19Mails(opts: { clean?: boolean } = {}): string[] {
  return sampleMails().map((m) => {
    let t = m
      .replace(/\.1795476367\./g, '.1796081167.')
      .replace(/\[PATCH v18 /g, '[PATCH v19 ')
      .replace(/Date: Wed, 3 Jun 2026/g, 'Date: Wed, 10 Jun 2026');
    if (opts.clean && t.includes('[PATCH v19 3/4]')) {
      // One hunk adding a comment: no callback, no restore, nothing for the rules to flag.
      t = t.replace(
        /@@ -2283[\s\S]*?(?=\n-- \n)/,
        [
          '@@ -2283,6 +2283,8 @@ pci_ers_result_t vfio_pci_core_aer_err_detected(struct pci_dev *pdev,',
          ' }',
          ' EXPORT_SYMBOL_GPL(vfio_pci_core_aer_err_detected);',
          ' ',
          '+/* reset_done: nothing to restore here, see the cover letter. */',
          '+',
          ' int vfio_pci_core_sriov_configure(struct vfio_pci_core_device *vdev,',
          ' \t\t\t\t  int nr_virtfn)',
          ' {',
        ].join('\n'),
      );
    }
    return t;
  });
}

/** Another author's copy of the sample series (new Message-IDs and From): another risky 3/4. */
export function seriesClone(n: number): string[] {
  const stamp = String(1795476367 + n * 1000);
  return sampleMails().map((m) =>
    m
      .replace(/\.1795476367\./g, `.${stamp}.`)
      .replace(/Sample Author <author@example\.org>/g, `Clone ${n} <clone${n}@example.org>`)
      .replace(/author@example\.org/g, `clone${n}@example.org`),
  );
}
