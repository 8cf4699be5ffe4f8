// Owns: installing a plugin ZIP through Site administration → Plugins → Install plugins, as an
// admin does it in the browser (upload, validation, the database upgrade, the new settings).
// Must not: install anything but the ZIP it was given, or go on past a page it does not know.
