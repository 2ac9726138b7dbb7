//! Progressive delays for password guesses, instead of a lockout.
//!
//! # Who is counted
//!
//! An attempt comes from a *source*: a network (an IPv4 address, or the /64
//! of an IPv6 address, see `client_ip::network`: whoever has one address of
//! a /64 has all of them), or a *known device*: a browser carrying the mark
//! of an earlier password login to this very login (a random cookie whose
//! SHA-256 is in `login_marks`, forgotten whenever the password changes).
//!
//! # The rule
//!
//! 1. Per (login, source): `free` failures, then each attempt must wait
//!    `base`, 2·`base`, 4·`base`, … up to `cap` after the source's last one.
//! 2. Per login, for all sources that are not known devices together:
//!    `login_free` failures, then **at most one password check per
//!    interval**, the interval doubling with each further failure from
//!    `base` up to `cap`. The login's next check is at one moment, `next`;
//!    the first attempt at or after it gets it, every attempt before it is
//!    told to wait until then. No number of networks gets around this: after
//!    the free failures, one guess per `cap` at most (60 an hour by default).
//! 3. An attempt before its wait is answered 429 with the wait, its password
//!    is not checked, and it changes nothing.
//!
//! The same holds for a login that does not exist: only the key counts.
//!
//! # What the owner is promised, and why a known device
//!
//! We want (a) a cap on guesses at one login that many addresses cannot
//! get around, and (b) an owner never kept out long by someone else's
//! guessing. Going by addresses alone, both cannot hold. An earlier rule
//! promised every address that had not failed itself a slot at the moment
//! it was told to come back: that kept (b), but each of an attacker's fresh
//! addresses was promised one too, so 80 addresses made 80 guesses in three
//! seconds. Without such promises an attacker with more networks than the
//! login has checks per `cap` can be first at every opening, and an owner
//! who shares the login's checks may wait as long as the attack lasts. The
//! owner has to be told apart by something the attacker lacks; what an
//! owner has is the browser they logged in with before. So:
//!
//! - **From a known device** the owner is held back by rule 1 on that device
//!   only: by nobody's failures but their own, and then at most `cap` after
//!   their own last one. Someone hammering the login does not delay them at
//!   all.
//! - **From a new device** (a new phone, cookies cleared) the owner shares
//!   rule 2 with everyone else. Nothing is locked: every refusal says when
//!   the login's next check is, and unless someone is guessing at that login
//!   right then, that is at most `cap` away. While someone guesses from many
//!   networks, the owner on a new device may have to come back more than
//!   once. That is the price of (a), and the README says so.
//!
//! A mark is for one login: a shared computer that someone logged in from
//! is a known device for that login only, and from it guesses at that login
//! are held back by rule 1 alone (about one per `cap`). Marks are forgotten
//! whenever the password changes, so whoever once knew an old password
//! keeps no exemption.
//!
//! Every admitted attempt is counted as a failure at once and taken back on
//! success, so parallel guesses cannot slip in before the count rises; a
//! success does not give the login its free failures back (else each login
//! by the owner would hand an attacker `login_free` fresh guesses).
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
    /// Failures from one source for one login before any delay.
    pub free: u32,
    /// Failures for one login from all networks before the login's checks
    /// are spaced out.
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

/// Where an attempt comes from (see the module doc).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// A network: an IPv4 address or an IPv6 /64. Make it with [`Source::net`].
    Net(IpAddr),
    /// A device that has logged in to this login with its password before:
    /// the first bytes of its mark's hash.
    Known([u8; 16]),
}

impl Source {
    /// The network of a client address.
    pub fn net(ip: IpAddr) -> Source {
        Source::Net(super::client_ip::network(ip))
    }

    /// A known device, by the SHA-256 of its mark.
    pub fn known(mark_hash: &[u8]) -> Source {
        let mut k = [0u8; 16];
        for (d, s) in k.iter_mut().zip(mark_hash) {
            *d = *s;
        }
        Source::Known(k)
    }

    fn shares_the_login(self) -> bool {
        matches!(self, Source::Net(_))
    }
}

#[derive(Debug, Clone)]
struct Pair {
    failures: u32,
    last: Instant,
}

#[derive(Debug, Clone)]
struct Single {
    failures: u32,
    last: Instant,
    /// The login's next password check for sources that share it.
    next: Instant,
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
    pairs: HashMap<(String, Source), Pair>,
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

    /// May an attempt for `key` from `source` go ahead at `now`? If so it is
    /// counted (as a failure until [`Throttle::succeeded`] says otherwise);
    /// if not, the answer is how long to wait, and nothing changes.
    pub fn check(&mut self, key: &str, source: Source, now: Instant) -> Result<(), Duration> {
        let forget = self.rule.forget_after;
        let fresh = |last: Instant| now.saturating_duration_since(last) < forget;
        let pk = (key.to_string(), source);
        let pair = self.pairs.get(&pk).filter(|p| fresh(p.last)).cloned();
        let shared = source.shares_the_login();
        let single = if shared {
            self.logins.get(key).filter(|s| fresh(s.last)).cloned()
        } else {
            None
        };
        let pair_until = pair
            .as_ref()
            .map(|p| p.last + self.rule.delay(p.failures, self.rule.free));
        let login_until = single.as_ref().map(|s| s.next);
        if let Some(until) = pair_until.max(login_until).filter(|u| *u > now) {
            return Err(until - now);
        }
        let mut p = pair.unwrap_or(Pair {
            failures: 0,
            last: now,
        });
        p.failures = p.failures.saturating_add(1);
        p.last = now;
        Self::put(&mut self.pairs, &self.rule, pk, p, now, |p| p.last);
        if shared {
            let mut s = single.unwrap_or(Single {
                failures: 0,
                last: now,
                next: now,
            });
            s.failures = s.failures.saturating_add(1);
            s.last = now;
            s.next = now + self.rule.delay(s.failures, self.rule.login_free);
            Self::put(&mut self.logins, &self.rule, key.to_string(), s, now, |s| {
                s.last
            });
        }
        Ok(())
    }

    /// The attempt admitted by `check` was right: this source starts again
    /// from nothing, and the login's count takes the attempt back (its next
    /// check stays where it is).
    pub fn succeeded(&mut self, key: &str, source: Source) {
        self.pairs.remove(&(key.to_string(), source));
        if source.shares_the_login()
            && let Some(s) = self.logins.get_mut(key)
        {
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
pub fn check(t: &Mutex<Throttle>, key: &str, source: Source) -> Result<(), Duration> {
    t.lock()
        .unwrap_or_else(|e| e.into_inner())
        .check(key, source, Instant::now())
}

/// [`Throttle::succeeded`] on a shared throttle.
pub fn succeeded(t: &Mutex<Throttle>, key: &str, source: Source) {
    t.lock()
        .unwrap_or_else(|e| e.into_inner())
        .succeeded(key, source)
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

    /// A network of its own for each n.
    fn ip(n: u8) -> Source {
        Source::net(IpAddr::from([10, 0, 0, n]))
    }

    /// The n-th network of many (each its own IPv6 /64).
    fn net(n: u32) -> Source {
        let hi = 0x2001_0db8_0000_0000u64 | u64::from(n);
        Source::net(IpAddr::from(std::net::Ipv6Addr::from(
            u128::from(hi) << 64 | 1,
        )))
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
    fn every_address_of_one_ipv6_64_is_one_source() {
        let mut t = Throttle::new(rule());
        let t0 = Instant::now();
        let mut admitted = 0;
        for n in 0..80u16 {
            let a = std::net::Ipv6Addr::new(0x2001, 0xdb8, 7, 7, n, 0, 0, 1);
            if t.check("qian", Source::net(IpAddr::V6(a)), t0).is_ok() {
                admitted += 1;
            }
        }
        assert_eq!(admitted, 3, "the /64's free failures, then it waits");
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

    /// An attacker with a fresh network for every guess, as fast as it likes:
    /// how many passwords get checked between `from` and `to`.
    fn rotate(t: &mut Throttle, login: &str, from: Instant, to: Instant, n: &mut u32) -> usize {
        let mut now = from;
        let mut admitted = 0;
        while now < to {
            for _ in 0..10 {
                *n += 1;
                if t.check(login, net(*n), now).is_ok() {
                    admitted += 1;
                }
            }
            now += Duration::from_millis(100);
        }
        admitted
    }

    #[test]
    fn many_networks_get_one_check_per_interval_at_most() {
        let r = rule();
        let mut t = Throttle::new(r.clone());
        let t0 = Instant::now();
        let mut n = 0;
        // 80 networks at once: the login's free failures, nothing more.
        let burst = (0..80)
            .filter(|_| {
                n += 1;
                t.check("zhao", net(n), t0).is_ok()
            })
            .count();
        assert_eq!(burst, 6);
        // Then at most one check per interval: 1 s, 2 s, 4 s … 60 s. In the
        // next three seconds, the checks at +1 and +3 only.
        let soon = rotate(
            &mut t,
            "zhao",
            t0,
            t0 + S * 3 + Duration::from_millis(50),
            &mut n,
        );
        assert_eq!(soon, 2, "{soon} checks in three seconds");
        // Over the next hour, 100 networks a second: at +7, +15, +31, then
        // one a minute.
        let hour = rotate(&mut t, "zhao", t0 + S * 4, t0 + S * 3604, &mut n);
        assert_eq!(hour, 3 + 60, "{hour} checks in an hour");
        // Each refusal says when the next check is, never beyond the cap.
        let w = t.check("zhao", net(n + 1), t0 + S * 3604).unwrap_err();
        assert!(w <= r.cap);
    }

    #[test]
    fn a_known_device_is_not_slowed_by_anyone_else() {
        let mut t = Throttle::new(rule());
        let t0 = Instant::now();
        let owner = Source::known(&[7u8; 32]);
        let mut n = 0;
        let mut now = t0;
        // The attacker rotates networks all along; the owner logs in now and
        // then and is let in at once, every time.
        for round in 0..20u32 {
            rotate(&mut t, "wang", now, now + S * 30, &mut n);
            now += S * 30;
            assert_eq!(t.check("wang", owner, now), Ok(()), "round {round}");
            t.succeeded("wang", owner);
        }
        // The owner's own typos slow only the owner's device, up to the cap.
        for _ in 0..3 {
            assert!(t.check("wang", owner, now).is_ok());
        }
        let w = t.check("wang", owner, now).unwrap_err();
        assert_eq!(w, S);
        // And a mark for another device is another source.
        assert!(t.check("wang", Source::known(&[8u8; 32]), now).is_ok());
    }

    #[test]
    fn on_a_new_device_the_owner_waits_at_most_the_cap_once_the_guessing_stops() {
        let r = rule();
        let mut t = Throttle::new(r.clone());
        let t0 = Instant::now();
        let mut n = 0;
        rotate(&mut t, "sun", t0, t0 + S * 600, &mut n);
        // The guessing has stopped; the owner comes from a new network.
        let owner = ip(9);
        let at = t0 + S * 600;
        let w = t.check("sun", owner, at).unwrap_err();
        assert!(w <= r.cap, "{w:?}");
        assert_eq!(t.check("sun", owner, at + w), Ok(()));
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
