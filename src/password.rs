//! argon2id password hashing on a small dedicated pool of threads: never on
//! the async executor, and at most `THREADS` hashes (19 MiB each) at once, so
//! a burst of logins cannot exhaust memory and the memory stays bounded.

use crate::error::Error;
use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use std::sync::{Arc, Mutex, mpsc};
use tokio::sync::oneshot;

pub const THREADS: usize = 2;

type Job = Box<dyn FnOnce() + Send>;

/// A handle to the hashing threads; cheap to clone.
#[derive(Clone)]
pub struct Hasher {
    tx: mpsc::Sender<Job>,
}

impl Hasher {
    pub fn start() -> Hasher {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..THREADS {
            let rx = rx.clone();
            let _ = std::thread::Builder::new()
                .name(format!("argon2-{i}"))
                .spawn(move || {
                    loop {
                        let job = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => {
                                job();
                                release_freed_memory();
                            }
                            Err(_) => return,
                        }
                    }
                });
        }
        Hasher { tx }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (otx, orx) = oneshot::channel();
        self.tx
            .send(Box::new(move || {
                let _ = otx.send(f());
            }))
            .map_err(|_| Error::Internal("password hasher stopped".into()))?;
        orx.await
            .map_err(|_| Error::Internal("password hasher dropped a job".into()))
    }

    pub async fn hash(&self, password: String) -> Result<String, Error> {
        self.run(move || hash_blocking(&password)).await?
    }

    /// Verifies against `hash`, or against a fixed dummy hash when there is no
    /// account, so that timing does not tell which login names exist.
    pub async fn verify(&self, password: String, hash: Option<String>) -> bool {
        self.run(move || {
            let h = hash.unwrap_or_else(|| DUMMY.to_string());
            verify_blocking(&password, &h) && h != DUMMY
        })
        .await
        .unwrap_or(false)
    }
}

/// argon2 works in 19 MiB of memory. glibc keeps such a freed block in the
/// thread's heap (its mmap threshold rises after the first one), so without
/// this an idle server holds ~50 MiB per hashing thread.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; it takes
    // no pointers and is thread-safe in glibc.
    unsafe {
        libc::malloc_trim(0);
    }
}

pub fn hash_blocking(password: &str) -> Result<String, Error> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))
}

/// Whether `password` matches `hash`. A stored value that is not an argon2
/// hash we can use (unreadable, another algorithm, bad parameters) fails
/// fast inside argon2: then the dummy hash is verified instead, so that
/// such an account answers a wrong password as slowly as any other.
pub fn verify_blocking(password: &str, hash: &str) -> bool {
    use argon2::password_hash::Error as E;
    match Argon2::default().verify_password(password.as_bytes(), hash) {
        Ok(()) => true,
        Err(E::PasswordInvalid) => false,
        Err(_) => {
            let _ = Argon2::default().verify_password(password.as_bytes(), DUMMY);
            #[cfg(test)]
            DUMMY_RUNS.with(|n| n.set(n.get() + 1));
            false
        }
    }
}

#[cfg(test)]
thread_local! {
    /// How often this thread fell back to the dummy verification.
    static DUMMY_RUNS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// argon2id of a random string nobody knows, with the default parameters.
const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Wb0pyoFZqfuLPeyUYFx2XgyBKJ6Szk3LutyBudMaTTw";

#[cfg(test)]
mod tests {
    #[test]
    fn hash_and_verify() {
        let h = super::hash_blocking("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(super::verify_blocking("correct horse", &h));
        assert!(!super::verify_blocking("wrong horse", &h));
    }

    /// Not a stopwatch (machines are noisy): each unusable stored value
    /// falls back to a full verification of the dummy hash.
    #[test]
    fn a_stored_value_that_is_no_argon2_hash_costs_a_full_verification() {
        let runs = || super::DUMMY_RUNS.with(|n| n.get());
        let h = super::hash_blocking("pw").unwrap();
        let before = runs();
        assert!(!super::verify_blocking("wrong", &h));
        assert_eq!(runs(), before, "a real hash is verified itself");
        for (i, junk) in [
            "",
            "x",
            "$2b$12$abcdefghijklmnopqrstuv",
            "$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA",
        ]
        .iter()
        .enumerate()
        {
            assert!(!super::verify_blocking("pw", junk), "{junk}");
            assert_eq!(runs(), before + i + 1, "{junk}: the dummy was verified");
        }
    }

    #[test]
    fn dummy_hash_parses() {
        // Verifying against the dummy must run the full computation, not fail fast.
        assert!(argon2::password_hash::phc::PasswordHash::new(super::DUMMY).is_ok());
    }

    #[tokio::test]
    async fn the_pool_hashes_and_verifies() {
        let h = super::Hasher::start();
        let hash = h.hash("a long password".into()).await.unwrap();
        assert!(h.verify("a long password".into(), Some(hash.clone())).await);
        assert!(!h.verify("wrong".into(), Some(hash)).await);
        assert!(!h.verify("anything".into(), None).await);
    }
}
