// Builds the sis-moodle-setup command line (release) and puts it at target/cli/, where the
// Linux packages take it from (tauri.conf.json → bundle.linux.deb/rpm.files) to install it in
// /usr/bin, on the PATH, beside the app. Run by `tauri build` (beforeBuildCommand).

import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dirname, "..");
const exe = process.platform === "win32" ? ".exe" : "";
execFileSync("cargo", ["build", "--release", "--locked", "-p", "sis-moodle-setup-cli"], { cwd: root, stdio: "inherit" });
mkdirSync(join(root, "target", "cli"), { recursive: true });
copyFileSync(join(root, "target", "release", `sis-moodle-setup${exe}`), join(root, "target", "cli", `sis-moodle-setup${exe}`));
console.log("sis-moodle-setup is ready for the packages (target/cli/)");
