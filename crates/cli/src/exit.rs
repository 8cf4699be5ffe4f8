// Owns: the exit codes every command shares: 0 every check passed, 1 a step failed, 2 bad
// usage or input, 3 could not tell (that one from the report's verdict: `Outcome::exit_code`).
// Must not: choose one (the commands do).

pub const OK: u8 = 0;
pub const CHECK_FAILED: u8 = 1;
pub const BAD_INPUT: u8 = 2;
