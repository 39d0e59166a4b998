/**
 * Where the tests find Debian's kernel trees: test/run.mjs provisions them (through
 * scripts/prepare-tests.mjs and .ci/kernels.sh) and passes the folder in VFIO_REVIEW_KERNELS.
 * The one place tests name these paths.
 */
import { join } from 'node:path';

export const KERNELS = process.env.VFIO_REVIEW_KERNELS || '/tmp/vfio-review-kernels';
/** Debian's linux-source-6.12 (6.12.117 here), the files vfio-review reads. */
export const TREE_612 = join(KERNELS, 'linux-6.12');
/** Debian's linux-source-6.1 (6.1.192 here). */
export const TREE_61 = join(KERNELS, 'linux-6.1');
