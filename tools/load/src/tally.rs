//! What a run counts: latencies, failures, fan-out, and the CPU and memory
//! of the processes measured.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use uuid::Uuid;

/// Latencies in milliseconds, and the failures, of one kind of request.
#[derive(Default)]
pub struct Tally {
    pub millis: Mutex<Vec<f64>>,
    errors: AtomicU64,
}

impl Tally {
    pub fn took(&self, since: Instant) {
        let ms = since.elapsed().as_secs_f64() * 1000.0;
        if let Ok(mut m) = self.millis.lock() {
            m.push(ms);
        }
    }

    pub fn failed(&self, what: &str) {
        if self.errors.fetch_add(1, Ordering::Relaxed) < 5 {
            eprintln!("parley-load: {what}");
        }
    }

    /// "p50 / p99 / longest" in milliseconds, and how many.
    pub fn summary(&self) -> (String, usize, u64) {
        let mut m = self.millis.lock().map(|m| m.clone()).unwrap_or_default();
        m.sort_by(f64::total_cmp);
        let at = |q: f64| {
            let i = ((m.len() as f64 * q) as usize).min(m.len().saturating_sub(1));
            m.get(i).copied().unwrap_or_default()
        };
        (
            format!(
                "{:.1} / {:.1} / {:.1}",
                at(0.5),
                at(0.99),
                m.last().copied().unwrap_or_default()
            ),
            m.len(),
            self.errors.load(Ordering::Relaxed),
        )
    }
}

/// Each comment posted: when it was sent, and how many streams have
/// seen its event (and when the last did).
#[derive(Default)]
pub struct FanOut {
    posted: Mutex<HashMap<Uuid, (Instant, u64, Instant)>>,
}

impl FanOut {
    pub fn sent(&self, id: Uuid, at: Instant) {
        if let Ok(mut p) = self.posted.lock() {
            p.insert(id, (at, 0, at));
        }
    }

    pub fn heard(&self, id: Uuid) {
        if let Ok(mut p) = self.posted.lock() {
            if let Some(entry) = p.get_mut(&id) {
                entry.1 += 1;
                entry.2 = Instant::now();
            }
        }
    }

    /// Fan-out times of the comments every one of `readers` heard, and
    /// how many were not heard by all.
    pub fn times(&self, readers: u64) -> (Tally, u64) {
        let tally = Tally::default();
        let mut short = 0;
        if let Ok(p) = self.posted.lock() {
            for (sent, heard, last) in p.values() {
                if *heard >= readers {
                    if let Ok(mut m) = tally.millis.lock() {
                        m.push(last.duration_since(*sent).as_secs_f64() * 1000.0);
                    }
                } else {
                    short += 1;
                }
            }
        }
        (tally, short)
    }
}

/// A process's CPU time so far (user and system), in seconds.
pub fn cpu_seconds(pid: u32) -> f64 {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return 0.0;
    };
    // After the command name, which is in parentheses: fields 14 and 15.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Clock ticks are 100 a second on Linux.
    (ticks(11) + ticks(12)) / 100.0
}

/// A process's resident memory, in MiB.
pub fn resident_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}
