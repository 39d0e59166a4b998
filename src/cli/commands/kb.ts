/** `vfio-review kb` (not implemented yet). */
export async function run(argv: string[]): Promise<number> {
  void argv;
  throw new Error('kb: not implemented yet');
}
