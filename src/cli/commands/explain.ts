/** `vfio-review explain` (not implemented yet). */
export async function run(argv: string[]): Promise<number> {
  void argv;
  throw new Error('explain: not implemented yet');
}
