/** `vfio-review ingest` (not implemented yet). */
export async function run(argv: string[]): Promise<number> {
  void argv;
  throw new Error('ingest: not implemented yet');
}
