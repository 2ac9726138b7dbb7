//! The queue of background `.pb` imports, fair across communities. An import
//! is admitted (it may then wait, count and write) only if its community has
//! fewer than `per_community` admitted and the server fewer than `capacity`
//! (each holds its parsed file in memory). Counting, the heavy part, runs
//! `runners` at a time; when a runner frees up, the next import is taken
//! round-robin by community: the first community after the last one served
//! that has an import waiting. So one community's imports never hold back
//! another's for more than one turn.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::sync::oneshot;

/// An admitted import, as a refusal names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admitted {
    /// Its record (for the progress page), once the file is read.
    pub job: Option<i64>,
    pub file_name: String,
}

/// Why an import was not admitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The community has as many as it may: the oldest of them.
    Community(Admitted),
    /// The server has as many as it may hold.
    Full,
}

#[derive(Default)]
struct Inner {
    next: u64,
    /// Admitted imports by community, oldest first (ticket, what).
    admitted: HashMap<i64, Vec<(u64, Admitted)>>,
    admitted_total: usize,
    /// Imports waiting for a runner, by community, in order.
    waiting: BTreeMap<i64, VecDeque<(u64, oneshot::Sender<Turn>)>>,
    running: usize,
    /// The community served last.
    last: Option<i64>,
    /// Communities in the order they were given a runner (for tests).
    served: Vec<i64>,
}

pub struct ImportQueue {
    inner: Mutex<Inner>,
    capacity: usize,
    per_community: usize,
    runners: usize,
}

impl ImportQueue {
    pub fn new(capacity: usize, per_community: usize, runners: usize) -> Arc<Self> {
        Arc::new(ImportQueue {
            inner: Mutex::new(Inner::default()),
            capacity: capacity.max(1),
            per_community: per_community.max(1),
            runners: runners.max(1),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The state stays consistent across a panic elsewhere (every change
        // is made under the lock in a few lines that do not panic).
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Admits an import of `community`, or says why not. The admission is
    /// held until the returned value is dropped (when the import ends).
    pub fn admit(self: &Arc<Self>, community: i64, file_name: &str) -> Result<Admission, Refused> {
        let mut q = self.lock();
        let mine = q.admitted.get(&community).map_or(0, Vec::len);
        if mine >= self.per_community {
            let oldest = q
                .admitted
                .get(&community)
                .and_then(|v| v.first())
                .map(|(_, a)| a.clone())
                .unwrap_or(Admitted {
                    job: None,
                    file_name: String::new(),
                });
            return Err(Refused::Community(oldest));
        }
        if q.admitted_total >= self.capacity {
            return Err(Refused::Full);
        }
        q.next += 1;
        let ticket = q.next;
        q.admitted.entry(community).or_default().push((
            ticket,
            Admitted {
                job: None,
                file_name: file_name.to_string(),
            },
        ));
        q.admitted_total += 1;
        Ok(Admission {
            queue: self.clone(),
            community,
            ticket,
        })
    }

    /// Communities in the order they were given a runner.
    pub fn served(&self) -> Vec<i64> {
        self.lock().served.clone()
    }

    /// (admitted, waiting, running), for tests and metrics.
    pub fn counts(&self) -> (usize, usize, usize) {
        let q = self.lock();
        (
            q.admitted_total,
            q.waiting.values().map(VecDeque::len).sum(),
            q.running,
        )
    }

    /// Gives free runners to waiting imports, round-robin by community.
    fn dispatch(self: &Arc<Self>, q: &mut Inner) {
        while q.running < self.runners {
            let next = match q.last {
                Some(last) => q
                    .waiting
                    .range(last + 1..)
                    .next()
                    .or_else(|| q.waiting.iter().next())
                    .map(|(c, _)| *c),
                None => q.waiting.keys().next().copied(),
            };
            let Some(c) = next else { return };
            let Some(list) = q.waiting.get_mut(&c) else {
                return;
            };
            let front = list.pop_front();
            if list.is_empty() {
                q.waiting.remove(&c);
            }
            let Some((_, tx)) = front else { continue };
            let turn = Turn {
                queue: self.clone(),
                armed: true,
            };
            match tx.send(turn) {
                Ok(()) => {
                    q.running += 1;
                    q.last = Some(c);
                    q.served.push(c);
                }
                // A waiter that gave up (its import failed or was dropped)
                // is skipped; the turn it did not take was never counted.
                Err(mut t) => t.armed = false,
            }
        }
    }
}

/// An admitted import; dropping it frees its place.
pub struct Admission {
    queue: Arc<ImportQueue>,
    community: i64,
    ticket: u64,
}

impl Admission {
    /// Names the import's record once there is one (for refusals).
    pub fn set_job(&self, job: i64) {
        let mut q = self.queue.lock();
        if let Some(v) = q.admitted.get_mut(&self.community)
            && let Some((_, a)) = v.iter_mut().find(|(t, _)| *t == self.ticket)
        {
            a.job = Some(job);
        }
    }

    /// Waits for a runner. The place in line is taken when this is called
    /// (not when the future is first polled), so the order is the call order.
    /// `None` if the queue let go of it (it does not while the admission lives).
    pub fn turn(&self) -> impl Future<Output = Option<Turn>> + Send + 'static {
        let (tx, rx) = oneshot::channel();
        {
            let mut q = self.queue.lock();
            q.waiting
                .entry(self.community)
                .or_default()
                .push_back((self.ticket, tx));
            self.queue.dispatch(&mut q);
        }
        // A turn sent but never taken (this future dropped) is dropped with
        // the channel, and passes the runner on.
        async move { rx.await.ok() }
    }
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut q = self.queue.lock();
        let (removed, empty) = match q.admitted.get_mut(&self.community) {
            Some(v) => {
                let before = v.len();
                v.retain(|(t, _)| *t != self.ticket);
                (before - v.len(), v.is_empty())
            }
            None => (0, false),
        };
        q.admitted_total -= removed;
        if empty {
            q.admitted.remove(&self.community);
        }
        // A place in line it still holds is dropped with it.
        if let Some(w) = q.waiting.get_mut(&self.community) {
            w.retain(|(t, _)| *t != self.ticket);
            if w.is_empty() {
                q.waiting.remove(&self.community);
            }
        }
    }
}

/// A runner, held while counting; dropping it passes it on.
pub struct Turn {
    queue: Arc<ImportQueue>,
    armed: bool,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let queue = self.queue.clone();
        let mut q = queue.lock();
        q.running = q.running.saturating_sub(1);
        queue.dispatch(&mut q);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Three communities, one runner: A queues three imports before B and C
    /// queue one each. Round-robin serves A, B, C, A, A, not A, A, A, B, C.
    #[tokio::test]
    async fn the_runner_goes_round_the_communities() {
        let q = ImportQueue::new(10, 3, 1);
        let (a, b, c) = (1, 2, 3);
        let a1 = q.admit(a, "a1.pb").unwrap();
        let a2 = q.admit(a, "a2.pb").unwrap();
        let a3 = q.admit(a, "a3.pb").unwrap();
        let b1 = q.admit(b, "b1.pb").unwrap();
        let c1 = q.admit(c, "c1.pb").unwrap();
        // Places are taken in this order; A's first gets the runner at once.
        let waits = vec![a1.turn(), a2.turn(), a3.turn(), b1.turn(), c1.turn()];
        assert_eq!(q.counts(), (5, 4, 1));
        let mut order = Vec::new();
        let mut handles = Vec::new();
        let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
        for (i, w) in waits.into_iter().enumerate() {
            let done_tx = done_tx.clone();
            handles.push(tokio::spawn(async move {
                let turn = w.await.expect("a turn");
                // Hand the turn back to the test, which ends it in order.
                let (end_tx, end_rx) = oneshot::channel::<()>();
                done_tx.send((i, end_tx)).ok();
                end_rx.await.ok();
                drop(turn);
            }));
        }
        for _ in 0..5 {
            let (i, end) = done_rx.recv().await.unwrap();
            order.push(["a1", "a2", "a3", "b1", "c1"][i]);
            // Only one runs at a time.
            assert_eq!(q.counts().2, 1);
            end.send(()).ok();
        }
        for h in handles {
            h.await.unwrap();
        }
        assert_eq!(order, ["a1", "b1", "c1", "a2", "a3"]);
        assert_eq!(q.served(), [a, b, c, a, a]);
        drop((a1, a2, a3, b1, c1));
        assert_eq!(q.counts(), (0, 0, 0));
    }

    #[test]
    fn one_per_community_and_a_cap_for_the_server() {
        let q = ImportQueue::new(2, 1, 1);
        let a = q.admit(1, "a.pb").unwrap();
        a.set_job(41);
        assert_eq!(
            q.admit(1, "again.pb").err(),
            Some(Refused::Community(Admitted {
                job: Some(41),
                file_name: "a.pb".into()
            }))
        );
        let b = q.admit(2, "b.pb").unwrap();
        assert_eq!(q.admit(3, "c.pb").err(), Some(Refused::Full));
        drop(a);
        // A's place is free again, and so is one of the server's.
        let a2 = q.admit(1, "a2.pb").unwrap();
        drop((a2, b));
        assert_eq!(q.counts(), (0, 0, 0));
    }

    /// An import dropped while waiting gives up its place; the next one runs.
    #[tokio::test]
    async fn a_waiter_that_leaves_is_skipped() {
        let q = ImportQueue::new(10, 1, 1);
        let a = q.admit(1, "a.pb").unwrap();
        let b = q.admit(2, "b.pb").unwrap();
        let c = q.admit(3, "c.pb").unwrap();
        let ta = a.turn().await.expect("runs at once");
        let wb = b.turn();
        let wc = c.turn();
        drop(wb);
        drop(b);
        drop(ta);
        let tc = wc.await.expect("c runs");
        assert_eq!(q.served(), [1, 3]);
        drop(tc);
        drop((a, c));
        assert_eq!(q.counts(), (0, 0, 0));
    }
}
