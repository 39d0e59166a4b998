/** `vfio-review rules` (not implemented yet). */
export async function run(argv: string[]): Promise<number> {
  void argv;
  throw new Error('rules: not implemented yet');
}
