// Owns: plugin ZIP download and validation (step 3), as Moodle's installer would judge it.
// Must not: extract outside a temp dir, or know about the CLI or the desktop app.
