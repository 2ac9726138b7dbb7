//! A bounded map of values each good for one generation of a change
//! counter and no longer than its map's age: at most so many entries and,
//! where the values say their size, so many bytes (emptied, never grown).

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// An entry older than this is read again (unless its map says otherwise).
pub const MAX_AGE: Duration = Duration::from_secs(10);
/// At most this many entries in one map (unless its map says otherwise).
pub const CAP: usize = 10_000;

pub(super) struct Entry<V> {
    pub(super) generation: u64,
    pub(super) at: Instant,
    pub(super) value: V,
}

struct Map<K, V> {
    entries: HashMap<K, (Entry<V>, usize)>,
    bytes: usize,
}

/// A bounded map whose entries are good for one generation and its age.
pub struct Memo<K, V> {
    map: Mutex<Map<K, V>>,
    cap: usize,
    max_bytes: usize,
    max_age: Duration,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub(super) fn new() -> Self {
        Self::bounded(CAP, usize::MAX, MAX_AGE)
    }

    /// At most `cap` entries and `max_bytes` bytes (as [`Memo::put_sized`]
    /// counts them), each good for `max_age`.
    pub(super) fn bounded(cap: usize, max_bytes: usize, max_age: Duration) -> Self {
        Memo {
            map: Mutex::new(Map {
                entries: HashMap::new(),
                bytes: 0,
            }),
            cap,
            max_bytes,
            max_age,
        }
    }

    /// The value cached for `k`, if it was read in `generation`.
    pub fn get(&self, k: &K, generation: u64) -> Option<V> {
        let map = self.map.lock().ok()?;
        let (e, _) = map.entries.get(k)?;
        (e.generation == generation && e.at.elapsed() < self.max_age).then(|| e.value.clone())
    }

    /// Keeps `v`, read after `generation` was current.
    pub fn put(&self, k: K, generation: u64, v: V) {
        self.put_sized(k, generation, v, 0);
    }

    /// Keeps `v` of about `bytes` bytes, read after `generation` was
    /// current; a value over a quarter of the budget is not kept.
    pub fn put_sized(&self, k: K, generation: u64, v: V, bytes: usize) {
        if bytes > self.max_bytes / 4 {
            return;
        }
        let Ok(mut map) = self.map.lock() else {
            return;
        };
        if let Some((_, old)) = map.entries.remove(&k) {
            map.bytes -= old;
        }
        if map.entries.len() >= self.cap || map.bytes + bytes > self.max_bytes {
            // Those of older generations first, then all.
            map.entries.retain(|_, (e, _)| e.generation == generation);
            map.bytes = map.entries.values().map(|(_, b)| b).sum();
            if map.entries.len() >= self.cap || map.bytes + bytes > self.max_bytes {
                map.entries.clear();
                map.bytes = 0;
            }
        }
        let entry = Entry {
            generation,
            at: Instant::now(),
            value: v,
        };
        map.entries.insert(k, (entry, bytes));
        map.bytes += bytes;
    }

    pub fn remove(&self, k: &K) {
        if let Ok(mut map) = self.map.lock()
            && let Some((_, b)) = map.entries.remove(k)
        {
            map.bytes -= b;
        }
    }

    pub fn len(&self) -> usize {
        self.map.lock().map(|m| m.entries.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes kept, as [`Memo::put_sized`] counted them.
    pub fn bytes(&self) -> usize {
        self.map.lock().map(|m| m.bytes).unwrap_or(0)
    }
}
