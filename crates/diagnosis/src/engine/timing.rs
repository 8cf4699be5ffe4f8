// Owns: how long a probe took, in the units a report keeps. Must not: time anything itself.

use std::future::Future;
use std::time::{Duration, Instant};

/// A future and how long it took.
pub(super) async fn timed<T>(f: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = f.await;
    (out, started.elapsed())
}

pub(super) fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
