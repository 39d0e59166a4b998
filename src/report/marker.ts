/**
 * The hidden markers in what we post on GitHub: every note carries its fingerprint, so a
 * re-run updates or resolves instead of repeating (issue #4 item 4). Kept apart from the
 * renderer so the posting side can read markers without pulling in the reports.
 */

const MARKER_FP = /^[A-Za-z0-9_.:-]+$/;

/** The fingerprint as a marker can carry it: characters outside [A-Za-z0-9_.:-] become '_'. */
export function markerFingerprint(fingerprint: string): string {
  return MARKER_FP.test(fingerprint) ? fingerprint : fingerprint.replace(/[^A-Za-z0-9_.:-]/g, '_');
}

/** Hidden marker carried by every comment: `<!-- vfio-review:v1 fp=<fingerprint> -->`. */
export function fingerprintMarker(fingerprint: string): string {
  return `<!-- vfio-review:v1 fp=${markerFingerprint(fingerprint)} -->`;
}

/** Hidden marker that ends the review body (so the body is recognisable, yet never a note). */
export const SUMMARY_MARKER = '<!-- vfio-review:v1 summary -->';

/**
 * The fingerprint of a comment body that carries our marker. The LAST fingerprint marker
 * counts: ours is always placed after the note's text (later markers of other kinds, such as a
 * "resolved" stamp, may follow it), so text quoted earlier cannot impersonate another note.
 */
export function parseMarker(body: string): string | undefined {
  return listMarkers(body).at(-1);
}

/** Every fingerprint marker in a review body (the notes that live there, not inline). */
export function listMarkers(body: string): string[] {
  return [...body.matchAll(/<!-- vfio-review:v1 fp=([A-Za-z0-9_.:-]+) -->/g)].map((m) => m[1]);
}

/** A body without any of our hidden markers (fingerprint, review, resolved), trimmed. */
export function stripMarkers(body: string): string {
  return body.replace(/<!-- vfio-review:[^>]*-->/g, '').trim();
}
