// Placeholder replaced by the replay implementation (issue 4).
export async function runReplay(_paths: string[], _o: unknown): Promise<number> { throw new Error("replay is being built"); }
