// Owns: what the diagnosis benchmarks share — reading a number from the environment and the
// two-thread runtime they run on. Must not: measure anything itself.

/// A number from the environment, or `default` when it is unset or not a number.
pub fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The runtime a benchmark runs on: two worker threads, as on the project's machine.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}
