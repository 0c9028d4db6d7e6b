// Placeholder replaced by the score implementation (issue 5).
export async function runScore(_paths: string[], _o: unknown): Promise<number> { throw new Error("score is being built"); }
