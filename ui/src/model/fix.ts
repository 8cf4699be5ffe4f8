// Owns: splitting a fix text into sentences and shell commands, so each command can be shown
// in its own block (never wrapped mid-flag) with its own copy button. Pure.

export type FixPart = { kind: "text"; text: string } | { kind: "command"; text: string };

const COMMAND = /^(?:sudo -u \S+ )?php admin\/cli\/\S+/;
const LEAD = /^(On the server[^:]*):\s*(.*)$/;

export function splitFix(fix: string): FixPart[] {
  const parts: FixPart[] = [];
  const push = (kind: FixPart["kind"], text: string) => {
    const last = parts[parts.length - 1];
    if (kind === "command" && last?.kind === "command") last.text += `\n${text}`;
    else parts.push({ kind, text });
  };
  for (const raw of fix.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    const lead = LEAD.exec(line);
    if (lead && COMMAND.test(lead[2] ?? "")) {
      push("text", `${lead[1] ?? ""}:`);
      push("command", lead[2] ?? "");
    } else if (COMMAND.test(line)) {
      push("command", line);
    } else {
      push("text", line);
    }
  }
  return parts;
}
