//! Rate limits: at most so many requests of a kind per key (an account or
//! an address) in any stretch of time, counted in the database so that
//! every server process sharing it counts the same requests, and a
//! restart forgives nobody.
//!
//! The count is the generic cell rate algorithm: each key has a
//! "theoretical arrival time" that each request pushes on by one share of
//! the period (`per_ms / requests`); a request that would push it more
//! than a whole period ahead of now is refused. So a burst of `requests`
//! goes through at once and after that one more each share, with no
//! window edge at which a second burst slips through.

use crate::clock::Millis;
use crate::store::{exec, scalar, Store};
use crate::Result;

/// So many requests per so long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub requests: u32,
    pub per_ms: Millis,
}

/// The longest key kept (an address and a route fit many times over).
const MAX_KEY_BYTES: usize = 200;

/// Counts one request against `key` under `limit`. `None` if it may go
/// ahead; `Some(ms)`, counting nothing, if it must wait that long.
pub async fn spend(store: &Store, key: &str, limit: Limit) -> Result<Option<Millis>> {
    let period = limit.per_ms.max(1);
    let share = (period / Millis::from(limit.requests.max(1))).max(1);
    let now = store.now();
    let key = clip(key);
    // One statement, counted or not as one: the row's own lock keeps two
    // processes from both spending the last share, and no write waits for
    // another key's (a transaction here would queue behind every write,
    // three times for each comment posted; scripts/load).
    let counted = scalar!(
        Millis,
        fetch_optional,
        &mut store.write_one().await?,
        "INSERT INTO rate_limits (key, tat) VALUES ($1, $2 + $3)
         ON CONFLICT (key) DO UPDATE
           SET tat = (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) + $3
           WHERE (CASE WHEN rate_limits.tat > $2 THEN rate_limits.tat ELSE $2 END) + $3 - $2 <= $4
         RETURNING tat",
        key,
        now,
        share,
        period
    )?;
    if counted.is_some() {
        return Ok(None);
    }
    let tat = scalar!(
        Millis,
        fetch_optional,
        &mut store.read_one().await?,
        "SELECT tat FROM rate_limits WHERE key = $1",
        key
    )?;
    let next = tat.unwrap_or(now).max(now) + share;
    Ok(Some((next - now - period).max(1)))
}

/// Forgets keys whose allowance has been whole again for `older_than_ms`:
/// a server does this now and then so the table holds only current ones.
pub async fn forget_old(store: &Store, older_than_ms: Millis) -> Result<u64> {
    let mut tx = store.write().await?;
    let gone = exec!(
        &mut tx,
        "DELETE FROM rate_limits WHERE tat < $1",
        store.now().saturating_sub(older_than_ms)
    )?;
    tx.commit().await?;
    Ok(gone)
}

fn clip(key: &str) -> &str {
    let mut end = key.len().min(MAX_KEY_BYTES);
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    key.get(..end).unwrap_or_default()
}
