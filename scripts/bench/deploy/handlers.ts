import { handlerEntries } from "../../../modules/lambda-function/handler-entries";

/** A Lambda handler the stack deploys. */
export interface DeployedHandler {
  /** Short name: the entry's path under `functions/handlers/` without `.ts`, e.g. `scoring/read`. */
  name: string;
  /** Entry relative to the repository root, as given to `NodeFunction`. */
  entry: string;
  /** Construct files that name the entry. */
  declaredIn: string[];
}

/** Every handler entry the stack deploys (see `handlerEntries`), with a short name. Sorted by name. */
export async function deployedHandlers(root: string): Promise<DeployedHandler[]> {
  return (await handlerEntries(root))
    .map((h) => ({ name: h.entry.replace(/^functions\/handlers\//, "").replace(/\.ts$/, ""), entry: h.entry, declaredIn: h.declaredIn }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
