//! Progressive delays for password guesses, instead of a lockout.
//!
//! Each attempt is keyed twice: strictly on (login name, client address),
//! and loosely on the login name alone. After a few failures the next
//! attempt must wait a delay that doubles with each failure, up to a cap.
//! A request that comes too early is told how long to wait and its password
//! is not checked. The same rule holds for a login that does not exist.
//!
//! Two promises make it a delay and never a lockout:
//!
//! - an address that has not failed itself is slowed only by the loose,
//!   per-login delay, and the moment it is told to come back is kept for it:
//!   failures by others after that do not push it further. So someone
//!   hammering a login from elsewhere keeps its owner out for at most `cap`;
//! - a correct password admitted after the wait always works.
//!
//! Every admitted attempt is counted as a failure at once and taken back on
//! success, so parallel guesses cannot slip in before the count rises.
//! The state is in memory, in two maps of at most `max_entries` each: when
//! full, forgotten (idle) entries go first, then the longest idle tenth.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The rule: how many failures are free, how the delay grows, when it is forgotten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Failures from one address for one login before any delay.
    pub free: u32,
    /// Failures for one login from all addresses before the loose delay.
    pub login_free: u32,
    /// The first delay; each further failure doubles it.
    pub base: Duration,
    /// No delay is ever longer than this.
    pub cap: Duration,
    /// A key idle this long starts again from nothing.
    pub forget_after: Duration,
    /// The most keys each map holds.
    pub max_entries: usize,
}

impl Default for Rule {
    fn default() -> Self {
        Rule {
            free: 3,
            login_free: 10,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            forget_after: Duration::from_secs(15 * 60),
            max_entries: 10_000,
        }
    }
}

impl Rule {
    /// The wait before the next attempt after `failures`, with `free` of them
    /// free: 0, …, 0, base, 2·base, 4·base, … up to `cap`.
    pub fn delay(&self, failures: u32, free: u32) -> Duration {
        if failures < free {
            return Duration::ZERO;
        }
        let doublings = (failures - free).min(30);
        self.base
            .checked_mul(1u32 << doublings)
            .unwrap_or(self.cap)
            .min(self.cap)
    }
}

#[derive(Debug, Clone)]
struct Pair {
    failures: u32,
    last: Instant,
    /// When this address was told it may try again, whatever others do meanwhile.
    promised: Option<Instant>,
}

#[derive(Debug, Clone)]
struct Single {
    failures: u32,
    last: Instant,
}

/// Whole seconds to wait, rounded up (at least 1), for messages and Retry-After.
pub fn seconds(d: Duration) -> u64 {
    let s = d.as_secs() + u64::from(d.subsec_nanos() > 0);
    s.max(1)
}

/// The in-memory state for one kind of secret (login passwords, or the
/// current password on the account page).
#[derive(Debug)]
pub struct Throttle {
    rule: Rule,
    pairs: HashMap<(String, IpAddr), Pair>,
    logins: HashMap<String, Single>,
}

/// The key for a login name as typed: case and surrounding spaces do not
/// make a new key (login names ignore case), and it is bounded in length.
pub fn login_key(login: &str) -> String {
    login
        .trim()
        .chars()
        .take(64)
        .collect::<String>()
        .to_lowercase()
}

impl Throttle {
    pub fn new(rule: Rule) -> Self {
        Throttle {
            rule,
            pairs: HashMap::new(),
            logins: HashMap::new(),
        }
    }

    pub fn rule(&self) -> &Rule {
        &self.rule
    }

    /// May an attempt for `key` from `ip` go ahead at `now`? If so it is
    /// counted (as a failure until [`Throttle::succeeded`] says otherwise);
    /// if not, the answer is how long to wait, and nothing is checked.
    pub fn check(&mut self, key: &str, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let forget = self.rule.forget_after;
        let fresh = |last: Instant| now.saturating_duration_since(last) < forget;
        let pk = (key.to_string(), ip);
        let pair = self.pairs.get(&pk).filter(|p| fresh(p.last)).cloned();
        let single = self.logins.get(key).filter(|s| fresh(s.last)).cloned();

        let strict_until = pair
            .as_ref()
            .map(|p| p.last + self.rule.delay(p.failures, self.rule.free));
        let loose_until = match pair.as_ref().and_then(|p| p.promised) {
            Some(t) => Some(t),
            None => single
                .as_ref()
                .map(|s| s.last + self.rule.delay(s.failures, self.rule.login_free)),
        };
        let until = strict_until.max(loose_until);
        if let Some(until) = until.filter(|u| *u > now) {
            // Too early. Keep the moment this address may come back for the
            // loose delay, so others' failures cannot move it.
            let promise = loose_until.filter(|t| *t > now);
            let mut p = pair.unwrap_or(Pair {
                failures: 0,
                last: now,
                promised: None,
            });
            if p.promised.is_none() {
                p.promised = promise;
            }
            Self::put(&mut self.pairs, &self.rule, pk, p, now, |p| p.last);
            return Err(until - now);
        }
        let mut p = pair.unwrap_or(Pair {
            failures: 0,
            last: now,
            promised: None,
        });
        p.failures = p.failures.saturating_add(1);
        p.last = now;
        p.promised = None;
        Self::put(&mut self.pairs, &self.rule, pk, p, now, |p| p.last);
        let mut s = single.unwrap_or(Single {
            failures: 0,
            last: now,
        });
        s.failures = s.failures.saturating_add(1);
        s.last = now;
        Self::put(&mut self.logins, &self.rule, key.to_string(), s, now, |s| {
            s.last
        });
        Ok(())
    }

    /// The attempt admitted by `check` was right: this address starts again
    /// from nothing, and the login's count takes the attempt back.
    pub fn succeeded(&mut self, key: &str, ip: IpAddr) {
        self.pairs.remove(&(key.to_string(), ip));
        if let Some(s) = self.logins.get_mut(key) {
            s.failures = s.failures.saturating_sub(1);
        }
    }

    /// How many keys are held (pairs, logins).
    pub fn len(&self) -> (usize, usize) {
        (self.pairs.len(), self.logins.len())
    }

    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty() && self.logins.is_empty()
    }

    /// Inserts, making room first when the map is full.
    fn put<K: Hash + Eq + Clone, V>(
        map: &mut HashMap<K, V>,
        rule: &Rule,
        k: K,
        v: V,
        now: Instant,
        last: impl Fn(&V) -> Instant,
    ) {
        let max = rule.max_entries.max(1);
        if !map.contains_key(&k) && map.len() >= max {
            map.retain(|_, v| now.saturating_duration_since(last(v)) < rule.forget_after);
            if map.len() >= max {
                // Still full: drop the longest idle tenth.
                let mut by_age: Vec<(Instant, K)> =
                    map.iter().map(|(k, v)| (last(v), k.clone())).collect();
                let n = (max / 10).clamp(1, by_age.len());
                by_age.select_nth_unstable_by_key(n - 1, |(t, _)| *t);
                for (_, k) in by_age.into_iter().take(n) {
                    map.remove(&k);
                }
            }
        }
        map.insert(k, v);
    }
}

/// [`Throttle::check`] now, on a shared throttle.
pub fn check(t: &Mutex<Throttle>, key: &str, ip: IpAddr) -> Result<(), Duration> {
    t.lock()
        .unwrap_or_else(|e| e.into_inner())
        .check(key, ip, Instant::now())
}

/// [`Throttle::succeeded`] on a shared throttle.
pub fn succeeded(t: &Mutex<Throttle>, key: &str, ip: IpAddr) {
    t.lock()
        .unwrap_or_else(|e| e.into_inner())
        .succeeded(key, ip)
}

/// The words for "wait", with the seconds.
pub fn wait_message(d: Duration) -> crate::domain::Msg {
    let s = seconds(d);
    crate::domain::Msg::new(
        format!("尝试太频繁，请等 {s} 秒再试。"),
        format!("Too many attempts: please wait {s} seconds and try again."),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule() -> Rule {
        Rule {
            free: 3,
            login_free: 6,
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            forget_after: Duration::from_secs(900),
            max_entries: 1000,
        }
    }

    fn ip(n: u8) -> IpAddr {
        IpAddr::from([10, 0, 0, n])
    }

    const S: Duration = Duration::from_secs(1);

    #[test]
    fn the_delay_doubles_after_the_free_failures_up_to_the_cap() {
        let r = rule();
        let d: Vec<u64> = (0..12).map(|f| r.delay(f, 3).as_secs()).collect();
        assert_eq!(d, [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(r.delay(u32::MAX, 3), r.cap, "no overflow");
        assert_eq!(seconds(Duration::from_millis(1)), 1);
        assert_eq!(seconds(Duration::from_millis(2001)), 3);
        assert_eq!(seconds(Duration::from_secs(4)), 4);
    }

    #[test]
    fn repeated_failures_from_one_address_wait_longer_and_longer() {
        let mut t = Throttle::new(rule());
        let t0 = Instant::now();
        for i in 0..3 {
            assert!(t.check("zhang", ip(1), t0 + S * i).is_ok());
        }
        // Third failure at t0+2: the fourth attempt waits 1 s.
        assert_eq!(t.check("zhang", ip(1), t0 + S * 2), Err(S));
        assert!(t.check("zhang", ip(1), t0 + S * 3).is_ok());
        // Fourth failure at t0+3: wait 2 s.
        assert_eq!(t.check("zhang", ip(1), t0 + S * 4), Err(S));
        assert!(t.check("zhang", ip(1), t0 + S * 5).is_ok());
        // A refused attempt does not count and does not push the wait.
        assert_eq!(t.check("zhang", ip(1), t0 + S * 6), Err(S * 3));
        assert_eq!(t.check("zhang", ip(1), t0 + S * 7), Err(S * 2));
        assert!(t.check("zhang", ip(1), t0 + S * 9).is_ok());
    }

    #[test]
    fn unknown_and_known_logins_are_the_same_to_the_rule() {
        // The rule never asks whether the account exists: only the key counts.
        let mut a = Throttle::new(rule());
        let mut b = Throttle::new(rule());
        let t0 = Instant::now();
        let ra: Vec<_> = (0..8)
            .map(|i| a.check("resident", ip(1), t0 + S * i))
            .collect();
        let rb: Vec<_> = (0..8)
            .map(|i| b.check("no-such-one", ip(1), t0 + S * i))
            .collect();
        assert_eq!(ra, rb);
        assert_eq!(login_key("  ReSident "), "resident");
    }

    #[test]
    fn a_correct_password_after_the_wait_starts_again_from_nothing() {
        let mut t = Throttle::new(rule());
        let t0 = Instant::now();
        for i in 0..5 {
            let _ = t.check("li", ip(1), t0 + S * (i * 10));
        }
        let w = t.check("li", ip(1), t0 + S * 41).unwrap_err();
        assert!(t.check("li", ip(1), t0 + S * 41 + w).is_ok());
        t.succeeded("li", ip(1));
        for i in 0..3 {
            assert!(t.check("li", ip(1), t0 + S * 60 + S * i).is_ok());
            t.succeeded("li", ip(1));
        }
    }

    #[test]
    fn an_attacker_cannot_keep_the_owner_out_longer_than_the_cap() {
        let r = rule();
        let mut t = Throttle::new(r.clone());
        let t0 = Instant::now();
        let attacker = ip(66);
        let owner = ip(7);
        // The attacker tries as often as it is let in, and more, for ten minutes;
        // the owner comes at a random-ish moment and then as told.
        let mut now = t0;
        let mut owner_first: Option<Instant> = None;
        let mut owner_next = t0 + Duration::from_secs(200);
        let mut owner_in = None;
        while now < t0 + Duration::from_secs(600) {
            let _ = t.check("wang", attacker, now); // a wrong password, if let in
            // A second attacker address joins in too.
            let _ = t.check("wang", ip(67), now);
            if owner_in.is_none() && now >= owner_next {
                owner_first.get_or_insert(now);
                match t.check("wang", owner, now) {
                    Ok(()) => {
                        t.succeeded("wang", owner);
                        owner_in = Some(now);
                    }
                    Err(w) => owner_next = now + w,
                }
            }
            now += Duration::from_millis(250);
        }
        let waited = owner_in.expect("the owner got in") - owner_first.unwrap();
        assert!(
            waited <= r.cap + Duration::from_millis(250),
            "waited {waited:?}"
        );
        // The attacker meanwhile was slowed to about one guess per cap per address.
        let (pairs, logins) = t.len();
        assert_eq!((pairs, logins), (2, 1));
    }

    #[test]
    fn many_addresses_are_slowed_by_the_login_delay() {
        let mut t = Throttle::new(rule());
        let t0 = Instant::now();
        let mut admitted = 0;
        for n in 0..100u8 {
            if t.check("zhao", ip(n), t0).is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(
            admitted, 6,
            "the login's free failures, then everyone waits"
        );
        // Each address that was told to wait may come once when told.
        let w = t.check("zhao", ip(50), t0).unwrap_err();
        assert!(w <= rule().cap);
    }

    #[test]
    fn the_maps_stay_bounded() {
        let mut r = rule();
        r.max_entries = 50;
        let mut t = Throttle::new(r);
        let t0 = Instant::now();
        for i in 0..1000u32 {
            let _ = t.check(
                &format!("user{i}"),
                ip((i % 250) as u8),
                t0 + Duration::from_millis(i as u64),
            );
        }
        let (p, l) = t.len();
        assert!(p <= 50 && l <= 50, "{p} {l}");
        // All at one instant: still bounded.
        for i in 0..200u32 {
            let _ = t.check(&format!("same{i}"), ip(1), t0);
        }
        let (p, l) = t.len();
        assert!(p <= 50 && l <= 50, "{p} {l}");
    }

    #[test]
    fn idle_keys_are_forgotten() {
        let mut t = Throttle::new(rule());
        let t0 = Instant::now();
        for i in 0..8 {
            let _ = t.check("sun", ip(1), t0 + S * (i * 70));
        }
        assert!(t.check("sun", ip(1), t0 + S * 500).is_err());
        assert!(t.check("sun", ip(1), t0 + S * 2000).is_ok());
    }
}
