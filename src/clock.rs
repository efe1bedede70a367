//! Time, injectable so tests can set it instead of sleeping.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
#[cfg(not(target_os = "linux"))]
use std::sync::OnceLock;
#[cfg(not(target_os = "linux"))]
use std::time::Instant;
use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch, UTC. Stored as INTEGER in SQLite and
/// sent to the UI as a number, which `new Date(ms)` reads directly.
pub type Millis = i64;

/// Where Parley reads the current time from.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time in milliseconds since the Unix epoch, UTC: what
    /// rows are stamped with. Whoever sets the computer's clock moves it.
    fn now(&self) -> Millis;

    /// Milliseconds since some fixed moment (the computer's start, or this
    /// process's). Never goes back and ignores changes to the computer's
    /// clock: for measuring how long something lasted (how long a session
    /// has been idle).
    fn monotonic(&self) -> Millis;
}

/// The computer's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        // A clock set before 1970 reads as the epoch rather than failing.
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0)
    }

    /// On Linux, CLOCK_BOOTTIME: it counts the time the computer spent
    /// asleep, so a session left idle overnight in a closed laptop ends as
    /// it should. Elsewhere, the process's `Instant`.
    fn monotonic(&self) -> Millis {
        #[cfg(target_os = "linux")]
        {
            let now = rustix::time::clock_gettime(rustix::time::ClockId::Boottime);
            now.tv_sec
                .saturating_mul(1000)
                .saturating_add(now.tv_nsec / 1_000_000)
        }
        #[cfg(not(target_os = "linux"))]
        {
            static START: OnceLock<Instant> = OnceLock::new();
            let elapsed = START.get_or_init(Instant::now).elapsed();
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        }
    }
}

/// A clock that only moves when told to: for tests.
#[derive(Debug, Default)]
pub struct ManualClock {
    wall: AtomicI64,
    monotonic: AtomicI64,
}

impl ManualClock {
    /// A clock standing at `start`.
    pub fn starting_at(start: Millis) -> Arc<Self> {
        Arc::new(Self {
            wall: AtomicI64::new(start),
            monotonic: AtomicI64::new(0),
        })
    }

    /// Lets `ms` pass. A negative `ms` is the person setting the computer's
    /// clock back: the wall clock moves, the monotonic one stands still.
    pub fn advance(&self, ms: Millis) {
        self.wall.fetch_add(ms, Ordering::SeqCst);
        self.monotonic.fetch_add(ms.max(0), Ordering::SeqCst);
    }

    /// Sets the wall clock to `at`, as a person changing the computer's
    /// clock would; no time passes.
    pub fn set_wall_clock(&self, at: Millis) {
        self.wall.store(at, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.wall.load(Ordering::SeqCst)
    }

    fn monotonic(&self) -> Millis {
        self.monotonic.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clocks_monotonic_reading_moves_forward() {
        let first = SystemClock.monotonic();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let second = SystemClock.monotonic();
        assert!(second >= first + 15, "{first} -> {second}");
    }
}
