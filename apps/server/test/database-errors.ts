/** The PostgreSQL message behind a failed query (Drizzle wraps it as the cause of "Failed query: …"). */
export async function databaseErrorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? cause.message : (error as Error).message;
  }
  return 'no error';
}
