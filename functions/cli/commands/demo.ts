export async function runDemo(_o: { dir: string; days: number }): Promise<number> { throw new Error("not yet"); }
