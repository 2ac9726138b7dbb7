//! Pricing one project against the budgets of the moment, in floats with
//! error bounds: whether its supporters can pay for it, the price each
//! pays (those short of it paying what they have), and who is short.

use super::Q;
use super::election::{U, to_f64};
use super::exact::Priced;
use super::run::{Entry, Run, Sup};

/// What a project's holders hold between them (from [`Run::gather`]).
struct Held {
    /// Σ weight × budget, its error bound, and Σ weight × |budget|.
    a: f64,
    ea: f64,
    abs_a: f64,
    weight: u64,
    /// How fast the holders' budgets can grow, at most.
    grow: f64,
}

/// The price per supporter: its float, the error bound, how many are short
/// of it (at the front of `buf`), the full payers, and the exact price when
/// the floats could not tell who is short.
struct Level {
    q: f64,
    eq: f64,
    npoor: usize,
    full: u64,
    exact: Option<Box<Priced>>,
}

impl Run<'_> {
    /// Prices `p` against the budgets now; None if its supporters cannot
    /// pay for it (noted: how soon they could). With `need_buf`, leaves its
    /// supporters holding money in `buf`, the poor first.
    pub fn evaluate(&mut self, p: usize, need_buf: bool) -> Option<Entry> {
        if !need_buf
            && !self.touched[p]
            && let Some(en) = self.untouched(p)
        {
            return en;
        }
        let e = self.e;
        let noting = self.noting();
        let (c, ec) = (e.cost_f[p], e.cost_e[p]);
        let h = self.gather(p);
        let m = e.supporters[p].len() as f64 + 2.0;
        let ea = h.ea + (self.buf.len() as f64 + 2.0) * U * h.abs_a;
        if !self.affordable(p, h.a, ea) {
            // How soon could the budgets cover the cost?
            let slack = ((c - ec) - (h.a + ea)) * (1.0 - 4.0 * U);
            self.note(slack, (h.grow + self.gone_grow[p]) * (1.0 + m * U));
            return None;
        }
        let level = self.level(p, h.weight)?;
        self.npoor = level.npoor;
        Some(self.entry(p, noting, level))
    }

    /// Fills `buf` with `p`'s supporters who hold money and sums what they
    /// hold; those who hold nothing now are dropped from its list once,
    /// their growth kept in `gone_grow`.
    fn gather(&mut self, p: usize) -> Held {
        let e = self.e;
        self.buf.clear();
        if !self.copied[p] {
            let at = self.at[p];
            self.held[at..at + e.supporters[p].len()].copy_from_slice(&e.supporters[p]);
            self.copied[p] = true;
        }
        let mut h = Held {
            a: 0.0,
            ea: 0.0,
            abs_a: 0.0,
            weight: 0,
            grow: 0.0,
        };
        let (at, mut n) = (self.at[p], self.len[p] as usize);
        let mut j = 0;
        while j < n {
            let i = self.held[at + j] as usize;
            let x = self.bal[i];
            let w = f64::from(x.w);
            if !x.held {
                self.gone_grow[p] += w * self.growth(i);
                n -= 1;
                self.held.swap(at + j, at + n);
                continue;
            }
            h.a += w * x.b;
            h.ea += w * x.eb;
            h.abs_a += w * x.b.abs();
            h.weight += u64::from(x.w);
            h.grow += w * x.grow;
            self.buf.push(Sup {
                b: x.b,
                eb: x.eb,
                w,
                i: i as u32,
            });
            j += 1;
        }
        self.len[p] = n as u32;
        h
    }

    /// Whether the holders in `buf`, holding `a` ± `ea`, can pay for `p`:
    /// in floats when the bounds decide, exactly otherwise.
    fn affordable(&mut self, p: usize, a: f64, ea: f64) -> bool {
        let e = self.e;
        let (c, ec) = (e.cost_f[p], e.cost_e[p]);
        if a + ea < c - ec {
            false
        } else if a - ea >= c + ec {
            true
        } else {
            self.exact_decisions += 1;
            let list: Vec<u32> = self.buf.iter().map(|s| s.i).collect();
            let k = self.trace.steps.len();
            self.exact.sum(e, &self.trace, k, &list) >= Q::from_integer(e.costs[p].clone())
        }
    }

    /// The price per supporter of an affordable `p`: in floats, or exactly
    /// when the floats cannot tell who is short of it (the poor then moved
    /// to the front of `buf`). None if the exact price finds it out of
    /// reach after all (noted as a change within one unit).
    fn level(&mut self, p: usize, weight: u64) -> Option<Level> {
        let e = self.e;
        let (c, ec) = (e.cost_f[p], e.cost_e[p]);
        if let Some((q, eq, npoor, full)) = self.water_level(c, ec, weight) {
            return Some(Level {
                q,
                eq,
                npoor,
                full,
                exact: None,
            });
        }
        self.exact_decisions += 1;
        let k = self.trace.steps.len();
        let Some(x) = self.exact.water_level(e, &self.trace, k, p) else {
            self.note(0.0, 1.0);
            return None;
        };
        let mut poor = x.poor.clone();
        poor.sort_unstable();
        let mut n = 0;
        for j in 0..self.buf.len() {
            if poor.binary_search(&self.buf[j].i).is_ok() {
                self.buf.swap(n, j);
                n += 1;
            }
        }
        let (q, eq) = to_f64(&x.price);
        Some(Level {
            q,
            eq,
            npoor: n,
            full: x.full,
            exact: Some(Box::new(x)),
        })
    }

    /// `p`'s entry at price `level`, with (when `noting`) how fast its
    /// price can fall at most and falls at least.
    fn entry(&self, p: usize, noting: bool, level: Level) -> Entry {
        let e = self.e;
        let (c, ec) = (e.cost_f[p], e.cost_e[p]);
        let m = e.supporters[p].len() as f64 + 2.0;
        let Level {
            q,
            eq,
            npoor,
            full,
            exact,
        } = level;
        // Raising the poor supporters' budgets by h lowers the price by at
        // most Σ h / full payers.
        let fall = if noting {
            let poor_grow: f64 = self.buf[..npoor]
                .iter()
                .map(|s| s.w * self.bal[s.i as usize].grow)
                .sum();
            (poor_grow + self.gone_grow[p]) / full as f64 * (1.0 + m * U)
        } else {
            0.0
        };
        let sure_q = if noting {
            self.sure_fall(q, eq, npoor, full) * (1.0 - m * U)
        } else {
            0.0
        };
        let sure = sure_q / (c + ec) * (1.0 - 4.0 * U);
        let rho = q / c;
        Entry {
            rho,
            erho: (eq + rho * ec) / (c - ec) + U * rho,
            speed: fall / (c - ec) * (1.0 + 4.0 * U),
            q,
            eq,
            fall,
            sure,
            sure_q,
            nopoor: npoor == 0,
            full,
            exact,
        }
    }

    /// A project none of whose supporters has paid yet: all hold the share,
    /// so it costs each the same, or is out of reach. None when the floats
    /// cannot tell; then the general path decides.
    fn untouched(&mut self, p: usize) -> Option<Option<Entry>> {
        let e = self.e;
        let (c, ec) = (e.cost_f[p], e.cost_e[p]);
        let (s, es) = self.share;
        let weight = e.backers[p];
        let wf = weight as f64;
        let a = wf * s;
        let ea = wf * es + 4.0 * U * a.abs();
        if a + ea < c - ec {
            let slack = ((c - ec) - (a + ea)) * (1.0 - 4.0 * U);
            let speed = match e.supporters[p].first() {
                Some(&i) => wf * self.bal[i as usize].grow * (1.0 + 4.0 * U),
                None => 0.0,
            };
            self.note(slack, speed);
            return Some(None);
        }
        let q = c / wf;
        let eq = (ec + U * c) / wf + U * q;
        if s - q <= es + eq + U * (s + q) {
            return None;
        }
        let rho = q / c;
        Some(Some(Entry {
            rho,
            erho: (eq + rho * ec) / (c - ec) + U * rho,
            speed: 0.0,
            q,
            eq,
            fall: 0.0,
            sure: 0.0,
            sure_q: 0.0,
            nopoor: true,
            full: weight,
            exact: None,
        }))
    }

    /// How fast the price per supporter falls at least, over the horizon,
    /// from the poor holders (`buf[..npoor]`): those who stay short of the
    /// lowered price throughout each bring their weight × the share's
    /// growth; the others must at least stay above it.
    fn sure_fall(&self, q: f64, eq: f64, npoor: usize, full: u64) -> f64 {
        let Some(h) = self.horizon else { return 0.0 };
        let poor = &self.buf[..npoor];
        let fullf = full as f64;
        let low = |s: &Sup| self.cold[s.i as usize].low;
        let most: f64 = poor.iter().map(|s| s.w * low(s)).sum::<f64>() / fullf * (1.0 + 4.0 * U);
        let (mut sure, mut cap) = (0.0, f64::INFINITY);
        for s in poor {
            let short = ((q - eq) - (s.b + s.eb)) * (1.0 - 4.0 * U);
            if short >= (low(s) + most) * h * (1.0 + 4.0 * U) {
                sure += s.w * low(s);
            } else {
                cap = cap.min(short.max(0.0) / h);
            }
        }
        (sure / fullf).min(cap).max(0.0)
    }

    /// The price per supporter in floats, with who is short of it decided
    /// beyond doubt: (q, error, poor count, full payers), or None when the
    /// floats cannot tell.
    fn water_level(&mut self, c: f64, ec: f64, weight: u64) -> Option<(f64, f64, usize, u64)> {
        let buf = &mut self.buf;
        let mut np = 0;
        let (mut ps, mut rich) = (0.0, weight);
        let mut rounds = 0;
        loop {
            if rich == 0 {
                return None;
            }
            let q = (c - ps) / rich as f64;
            let before = np;
            if rounds < 4 {
                // Everyone below the current level is short of it: moved
                // to the front, behind those found before.
                let mut j = np;
                while j < buf.len() {
                    if buf[j].b < q {
                        buf.swap(np, j);
                        ps += buf[np].w * buf[np].b;
                        rich -= buf[np].w as u64;
                        np += 1;
                    }
                    j += 1;
                }
            } else {
                // Slow to settle: take them in order of budget.
                buf[np..].sort_unstable_by(|x, y| x.b.total_cmp(&y.b));
                while np < buf.len() && buf[np].b < (c - ps) / rich as f64 {
                    ps += buf[np].w * buf[np].b;
                    rich -= buf[np].w as u64;
                    np += 1;
                    if rich == 0 {
                        return None;
                    }
                }
            }
            if np == before {
                break;
            }
            rounds += 1;
        }
        let (mut ps, mut eps, mut abs_ps) = (0.0, 0.0, 0.0);
        for s in &buf[..np] {
            ps += s.w * s.b;
            eps += s.w * s.eb;
            abs_ps += s.w * s.b.abs();
        }
        let eps = eps + (np as f64 + 2.0) * U * abs_ps;
        let num = c - ps;
        let richf = rich as f64;
        let q = num / richf;
        let eq = (ec + eps + U * num.abs()) / richf + U * q.abs();
        for (j, s) in buf.iter().enumerate() {
            let margin = s.eb + eq + U * (s.b.abs() + q.abs());
            let clear = if j < np {
                q - s.b > margin
            } else {
                s.b - q > margin
            };
            if !clear {
                return None;
            }
        }
        Some((q, eq, np, rich))
    }
}
