#!/usr/bin/env bash
# Extract the few kernel files vfio-review reads from Debian's linux-source packages.
# Usage: .ci/kernels.sh [DEST]   (default: $VFIO_REVIEW_KERNELS or /tmp/vfio-review-kernels)
# Produces DEST/linux-6.12 and DEST/linux-6.1, plain trees (not git checkouts).
# The tarballs come from ${VFIO_REVIEW_SRC_DIR:-/usr/src} (where the linux-source packages put them).
set -euo pipefail
dest=${1:-${VFIO_REVIEW_KERNELS:-/tmp/vfio-review-kernels}}
paths=(drivers/pci drivers/vfio include/linux/pci.h include/linux/pci-tph.h include/uapi/linux/pci_regs.h
       include/linux/vfio_pci_core.h include/uapi/linux/vfio.h include/linux/msi.h drivers/xen/xen-pciback)
for v in 6.12 6.1; do
  out="$dest/linux-$v"
  [ -f "$out/.extracted" ] && continue
  src=${VFIO_REVIEW_SRC_DIR:-/usr/src}
  tarball=$(ls "$src"/linux-source-$v.tar.* 2>/dev/null | head -n1 || true)
  if [ -z "$tarball" ]; then
    echo "kernels.sh: $src/linux-source-$v.tar.* not found (apt-get install linux-source-$v)" >&2
    exit 2
  fi
  mkdir -p "$out"
  top=linux-source-$v   # the packages' top-level folder
  want=(); for p in "${paths[@]}"; do want+=("$top/$p"); done
  # Missing members (e.g. pci-tph.h before 6.13) are not an error.
  tar -xf "$tarball" -C "$out" --strip-components=1 --wildcards --no-wildcards-match-slash "${want[@]}" 2>/dev/null || true
  [ -f "$out/drivers/pci/pci.c" ] || { echo "kernels.sh: drivers/pci/pci.c missing from $tarball" >&2; exit 2; }
  dpkg-query -W -f='${Version}\n' linux-source-$v > "$out/.debian-version" 2>/dev/null || true
  touch "$out/.extracted"
done
echo "$dest"
