import { visible } from "../core/alert/escape";

/**
 * What the CLI writes for people goes to a terminal or a pipe. Text that comes from records, file
 * names or error messages may hold escape sequences (ESC/CSI that clear the screen, set the title,
 * move the cursor), BEL, a bare CR or backspaces that overwrite what was written, bidi overrides that
 * reorder it: {@link cell} writes all of them out visibly, on a terminal and in a pipe alike.
 * Colour is trailwatch's own, and only on a terminal without NO_COLOR.
 */

/** Text from a record, file name or error made safe to print: control and format characters escaped. */
export function cell(v: unknown): string {
  return visible(v === null || v === undefined ? "" : typeof v === "string" ? v : String(v));
}

/**
 * Whether to colour what goes to `stream`: only a terminal, never when NO_COLOR is set to anything
 * but the empty string (https://no-color.org), never on a dumb terminal.
 */
export function useColor(stream: { isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (stream.isTTY !== true) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return env.TERM !== "dumb";
}

/** cli-table3's style: its own colours (red headings, grey borders) only when colour is on. */
export function tableStyle(color: boolean): { head: string[]; border: string[] } {
  return { head: color ? ["bold"] : [], border: color ? ["grey"] : [] };
}

const SGR: Record<string, string> = { bold: "1", red: "31", boldRed: "1;31", yellow: "33", cyan: "36", dim: "2", green: "32" };

/** `text` in a colour when `color` is on; `text` is escaped by the caller. */
export function paint(text: string, style: keyof typeof SGR, color: boolean): string {
  return color ? `\x1b[${SGR[style]}m${text}\x1b[0m` : text;
}
