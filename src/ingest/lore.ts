/**
 * Fetch a thread from a public-inbox (lore) HTTP server by Message-ID, like `b4 am`:
 * `/<msgid>/t.mbox.gz`, falling back to `/<msgid>/raw`. Returns the path of a local mbox.
 */
export async function fetchLoreThread(baseUrl: string, msgid: string): Promise<string> {
  void baseUrl;
  void msgid;
  throw new Error('fetchLoreThread: not implemented yet');
}
