// Owns: reading the table of the steps each captured state must fail (captured_states.txt),
// for the diagnosis's table test and the command line's. Must not: hold the table itself.

const EXPECTED: &str = include_str!("../captured_states.txt");

/// The steps the doctor must find failing in a captured state, or `None` when the table does
/// not name the state.
pub fn expected_steps(state: &str) -> Option<Vec<u8>> {
    EXPECTED
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once(':'))
        .find(|(s, _)| s.trim() == state)
        .map(|(_, steps)| {
            steps
                .split_whitespace()
                .map(|n| n.parse().expect("a step number"))
                .collect()
        })
}
