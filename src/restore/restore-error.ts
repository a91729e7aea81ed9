/** The deployed archive could not be read: the build stops rather than publish a smaller one (exit 1). */
export class RestoreError extends Error {
  override name = 'RestoreError';
}
